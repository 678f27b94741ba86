import { DomainErrorCode, fail } from '../shared/errors';
import type { OrganizationFacts, PartnershipCommandMetadata } from '../shared/metadata';
import { parseDate, parseInstant, utcDate, type Instant } from '../shared/time';
import { collapseSpaces, distinct, normalizeEmail, requireText } from '../shared/validation';
import { CALIFORNIA_COUNTRY, FRANCE_COUNTRY } from '../shared/vocabulary';
import type { Attendee } from './events';
import type { Partnership, Signature } from './state';

/** What every partnership decision works from. */
export type Context = {
  partnership: Partnership;
  metadata: PartnershipCommandMetadata;
  now: Date;
  occurredAt: string;
  /** The UTC date of the decision: the default business date, and the latest one allowed. */
  today: string;
};

export const contextOf = (partnership: Partnership, metadata: PartnershipCommandMetadata): Context => ({
  partnership,
  metadata,
  now: metadata.now,
  occurredAt: metadata.now.toISOString(),
  today: utcDate(metadata.now),
});

/** The business date a command gives in `on` (`YYYY-MM-DD`), else today; never after today. */
export const businessDate = (value: unknown, today: string): string => {
  if (value === undefined || value === null) return today;
  const on = parseDate(value, 'on');
  if (on > today) {
    throw fail('business_date.in_future', `on (${on}) is after today (${today})`, { on, today });
  }
  return on;
};

/**
 * A step is never dated before the fact it builds on. `fact` names it in the refusal (`draftedOn`, …);
 * dates compare as `YYYY-MM-DD` text.
 */
export const requireNotBefore = (
  code: DomainErrorCode,
  message: string,
  on: string,
  fact: Record<string, string>,
  details: Record<string, unknown> = {},
): void => {
  const [[name, date]] = Object.entries(fact) as [[string, string]];
  if (on < date)
    throw fail(code, `${message} (${on} is before ${name} ${date})`, { on, [name]: date, ...details });
};

/** An organisation absent from the command's facts is not registered. */
export const factsOf = (metadata: PartnershipCommandMetadata, organizationId: string): OrganizationFacts => {
  const facts = metadata.organizations?.[organizationId];
  if (!facts) {
    throw fail('organization.not_found', `Organisation ${organizationId} is not registered`, {
      organizationId,
    });
  }
  return facts;
};

/** Both sides of the partnership: at least one Californian (US) and one French (FR) organisation. */
export const coversBothSides = (facts: readonly OrganizationFacts[]): boolean =>
  facts.some((org) => org.country === CALIFORNIA_COUNTRY) &&
  facts.some((org) => org.country === FRANCE_COUNTRY);

export const nonPartiesAmong = (partnership: Partnership, organizationIds: readonly string[]): string[] =>
  organizationIds.filter((id) => !partnership.parties.includes(id));

/** Who may attend: the parties' contacts, then the configured observers. Keyed by lower-cased e-mail. */
const allowedAttendees = (context: Context): Map<string, Attendee> => {
  const allowed = new Map<string, Attendee>();
  for (const organizationId of context.partnership.parties) {
    for (const contact of context.metadata.organizations?.[organizationId]?.contacts ?? []) {
      const email = contact.email.trim().toLowerCase();
      if (!allowed.has(email)) {
        allowed.set(email, { email, name: contact.name, language: contact.language, organizationId });
      }
    }
  }
  for (const observer of context.metadata.observers ?? []) {
    const email = observer.trim().toLowerCase();
    if (!allowed.has(email)) allowed.set(email, { email, name: null, language: null, organizationId: null });
  }
  return allowed;
};

export const resolveAttendees = (context: Context, emails: unknown, field: string): Attendee[] => {
  if (!Array.isArray(emails))
    throw fail('validation.required', `${field} must be a list of e-mails`, { field });
  const allowed = allowedAttendees(context);
  return distinct(emails.map((email: unknown, index) => normalizeEmail(email, `${field}[${index}]`))).map(
    (email) => {
      const attendee = allowed.get(email);
      if (!attendee) {
        throw fail(
          'meeting.attendee_not_allowed',
          `${email} is neither a contact of the partnership's parties nor an observer`,
          { email },
        );
      }
      return attendee;
    },
  );
};

/** The instant of the command, as an `Instant`. */
export const nowInstant = (now: Date): Instant => ({
  iso: now.toISOString(),
  ms: now.getTime(),
  localDate: utcDate(now),
});

type Signable = { status: string; signatories: string[]; signatures: Signature[] };

/** The business date of the terms a signature accepts: the draft's, or the latest amendment's. */
type Terms = { termsOn: string };

export type SignatureDecision = {
  signature: Signature;
  pendingSignatories: string[];
  /** Set when this signature completes the document: the latest signature date. */
  executedOn: string | null;
};

/** The rules shared by agreements and MOUs: a listed signatory signs once, not in the future, before execution. */
export const decideSignature = (
  document: 'agreement' | 'mou',
  signable: Signable & Terms,
  input: { organizationId: unknown; signerName: unknown; signedAt?: unknown },
  now: Date,
): SignatureDecision => {
  if (signable.status !== 'draft') {
    throw fail(
      `${document}.already_executed`,
      `The ${document === 'mou' ? 'MOU' : document} is already executed`,
    );
  }
  const organizationId = requireText(input.organizationId, 'organizationId');
  if (!signable.signatories.includes(organizationId)) {
    throw fail(`${document}.not_a_signatory`, `Organisation ${organizationId} is not a signatory`, {
      organizationId,
      signatories: signable.signatories,
    });
  }
  if (signable.signatures.some((signature) => signature.organizationId === organizationId)) {
    throw fail(`${document}.already_signed`, `Organisation ${organizationId} has already signed`, {
      organizationId,
    });
  }
  const signerName = collapseSpaces(requireText(input.signerName, 'signerName'));
  const signedAt =
    input.signedAt === undefined || input.signedAt === null
      ? nowInstant(now)
      : parseInstant(input.signedAt, 'signedAt', { dateAllowed: true });
  if (signedAt.ms > now.getTime()) {
    throw fail('signature.in_future', 'A signature cannot be dated in the future', {
      signedAt: input.signedAt,
    });
  }
  requireNotBefore(
    'signature.before_draft',
    `A signature cannot be dated before the ${document === 'mou' ? 'MOU' : document} it signs`,
    signedAt.localDate,
    { termsOn: signable.termsOn },
  );
  const signature = { organizationId, signerName, signedAt: signedAt.iso, signedOn: signedAt.localDate };
  const signed = new Set([...signable.signatures.map((s) => s.organizationId), organizationId]);
  const pendingSignatories = signable.signatories.filter((id) => !signed.has(id));
  const latestSignedOn = signable.signatures.reduce(
    (latest, earlier) => (earlier.signedOn > latest ? earlier.signedOn : latest),
    signature.signedOn,
  );
  const executedOn = pendingSignatories.length === 0 ? latestSignedOn : null;
  return { signature, pendingSignatories, executedOn };
};
