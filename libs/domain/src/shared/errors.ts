/** How a refusal maps to HTTP: `rule` → 409, `not_found` → 404, `invalid` → 400, `forbidden` → 403. */
export type DomainErrorKind = 'rule' | 'not_found' | 'invalid' | 'forbidden';

/** Every code the domain can refuse with, and its kind. Codes are stable: clients and problem types rely on them. */
export const DOMAIN_ERRORS = {
  'validation.required': 'invalid',
  'validation.invalid_timestamp': 'invalid',
  'validation.invalid_date': 'invalid',
  'validation.invalid_email': 'invalid',
  'validation.invalid_url': 'invalid',
  'validation.unknown_sector': 'invalid',
  'validation.unknown_axis': 'invalid',

  'organization.not_found': 'not_found',
  'organization.already_registered': 'rule',
  'organization.invalid_kind': 'invalid',
  'organization.invalid_country': 'invalid',
  'organization.invalid_language': 'invalid',
  'organization.contact_required': 'invalid',
  'organization.duplicate_contact_email': 'invalid',
  'organization.name_taken': 'rule',
  'organization.name_key_mismatch': 'invalid',

  'business_date.in_future': 'rule',

  'partnership.not_found': 'not_found',
  'partnership.already_exists': 'rule',
  'partnership.withdrawn': 'rule',
  'partnership.on_hold': 'rule',
  'partnership.not_on_hold': 'rule',
  'partnership.sides_required': 'rule',
  'partnership.not_introduced': 'rule',
  'partnership.before_proposal': 'rule',
  'partnership.before_last_step': 'rule',
  'partnership.before_suspension': 'rule',

  'meeting.not_found': 'not_found',
  'meeting.already_exists': 'rule',
  'meeting.attendee_not_allowed': 'rule',
  'meeting.ends_before_start': 'invalid',
  'meeting.invalid_timezone': 'invalid',
  'meeting.invalid_outcome': 'invalid',
  'meeting.already_held': 'rule',
  'meeting.cancelled': 'rule',
  'meeting.not_started': 'rule',
  'meeting.held_in_future': 'rule',
  'meeting.held_before_start': 'rule',

  'agreement.not_found': 'not_found',
  'agreement.already_exists': 'rule',
  'agreement.invalid_term': 'invalid',
  'agreement.signatory_not_party': 'rule',
  'agreement.signatories_both_sides': 'rule',
  'agreement.already_executed': 'rule',
  'agreement.not_a_signatory': 'rule',
  'agreement.already_signed': 'rule',
  'agreement.not_executed': 'rule',
  'agreement.already_expired': 'rule',
  'agreement.term_not_ended': 'rule',
  'agreement.before_introduction': 'rule',
  'agreement.before_draft': 'rule',
  'agreement.before_signature': 'rule',
  'signature.in_future': 'rule',
  'signature.before_draft': 'rule',

  'project.not_found': 'not_found',
  'project.already_exists': 'rule',
  'project.no_executed_agreement': 'rule',
  'project.before_agreement': 'rule',
  'project.agreement_ended': 'rule',
  'project.invalid_budget': 'invalid',
  'project.invalid_currency': 'invalid',
  'project.lead_not_party': 'rule',
  'project.duplicate_milestone': 'invalid',
  'project.not_running': 'rule',
  'project.completed_in_future': 'rule',
  'project.completed_before_start': 'rule',
  'milestone.not_found': 'not_found',
  'milestone.already_reached': 'rule',
  'milestone.reached_in_future': 'rule',
  'milestone.before_project_start': 'rule',

  'mou.not_found': 'not_found',
  'mou.already_exists': 'rule',
  'mou.no_executed_agreement': 'rule',
  'mou.no_joint_project': 'rule',
  'mou.signatory_not_party': 'rule',
  'mou.signatory_not_government': 'rule',
  'mou.signatories_both_sides': 'rule',
  'mou.already_executed': 'rule',
  'mou.not_a_signatory': 'rule',
  'mou.already_signed': 'rule',

  'forbidden.out_of_scope': 'forbidden',
} as const satisfies Record<string, DomainErrorKind>;

export type DomainErrorCode = keyof typeof DOMAIN_ERRORS;

/** A refused command. Nothing is appended; the code is mapped once to a problem response. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly kind: DomainErrorKind;

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.kind = DOMAIN_ERRORS[code];
  }
}

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;

/** `throw fail(code, message)`: the kind comes from the catalogue. */
export const fail = (
  code: DomainErrorCode,
  message: string,
  details?: Record<string, unknown>,
): DomainError => new DomainError(code, message, details);
