export const AGREEMENT_EXPIRY = Symbol('AGREEMENT_EXPIRY');

/** `not_due`: the term has not ended yet (clocks differ); `refused`: a rule forbids it, it will not change. */
export type ExpiryOutcome = 'expired' | 'already_expired' | 'not_due' | 'refused';

/** The end of an agreement's term goes through the command path, as any other change of a partnership. */
export interface AgreementExpiry {
  expire(partnershipId: string, agreementId: string): Promise<ExpiryOutcome>;
}
