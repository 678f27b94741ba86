import { assertNever } from '../shared/decider';
import { fail } from '../shared/errors';
import { addMonths } from '../shared/time';
import { collapseSpaces, optionalText, requireIds, requireText } from '../shared/validation';
import type { AmendAgreement, DraftAgreement, ExpireAgreement, SignAgreement } from './commands';
import type {
  AgreementAmended,
  AgreementDrafted,
  AgreementExecuted,
  AgreementExpired,
  AgreementSigned,
  PartnershipEvent,
} from './events';
import {
  businessDate,
  Context,
  coversBothSides,
  decideSignature,
  factsOf,
  nonPartiesAmong,
  requireNotBefore,
} from './rules';
import { hasReached } from './stages';
import { advance, replaceWhere, type Agreement, type Partnership } from './state';

export const MIN_TERM_MONTHS = 1;
export const MAX_TERM_MONTHS = 120;

const findAgreement = (context: Context, agreementId: string): Agreement => {
  const agreement = context.partnership.agreements.find((candidate) => candidate.agreementId === agreementId);
  if (!agreement) throw fail('agreement.not_found', `Agreement ${agreementId} not found`, { agreementId });
  return agreement;
};

const requireTerm = (value: unknown): number => {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < MIN_TERM_MONTHS ||
    value > MAX_TERM_MONTHS
  ) {
    throw fail(
      'agreement.invalid_term',
      `termMonths must be a whole number from ${MIN_TERM_MONTHS} to ${MAX_TERM_MONTHS}`,
      {
        termMonths: value,
      },
    );
  }
  return value;
};

/** Signatories are parties, with at least one on each side. */
const requireSignatories = (context: Context, value: unknown): string[] => {
  const signatories = requireIds(value, 'signatories');
  const outsiders = nonPartiesAmong(context.partnership, signatories);
  if (outsiders.length > 0) {
    throw fail('agreement.signatory_not_party', 'Every signatory must be a party to the partnership', {
      organizationIds: outsiders,
    });
  }
  if (!coversBothSides(signatories.map((id) => factsOf(context.metadata, id)))) {
    throw fail(
      'agreement.signatories_both_sides',
      'An agreement needs at least one signatory from California (US) and one from France (FR)',
      { signatories },
    );
  }
  return signatories;
};

/** Agreements in force on a day: executed on or before it, their term not ended by it. */
export const agreementsInForceOn = (partnership: Partnership, day: string): Agreement[] =>
  partnership.agreements.filter(
    (agreement) =>
      agreement.executedOn !== null &&
      agreement.expiresOn !== null &&
      agreement.executedOn <= day &&
      day < agreement.expiresOn,
  );

/** The day the parties were introduced: the first meeting held with an interested outcome. */
const introducedOn = (partnership: Partnership): string | null =>
  partnership.meetings
    .filter((meeting) => meeting.outcome === 'interested' && meeting.heldOn !== null)
    .map((meeting) => meeting.heldOn as string)
    .reduce<string | null>((first, day) => (first === null || day < first ? day : first), null);

export const draftAgreement = (command: DraftAgreement, context: Context): PartnershipEvent[] => {
  const { data } = command;
  if (!hasReached(context.partnership.lifecycleStage, 'introduced')) {
    throw fail(
      'partnership.not_introduced',
      'An agreement can be drafted once the parties have been introduced',
      {
        stage: context.partnership.stage,
      },
    );
  }
  const agreementId = requireText(data.agreementId, 'agreementId');
  if (context.partnership.agreements.some((agreement) => agreement.agreementId === agreementId)) {
    throw fail('agreement.already_exists', `Agreement ${agreementId} already exists`, { agreementId });
  }
  const title = collapseSpaces(requireText(data.title, 'title'));
  const scope = optionalText(data.scope, 'scope');
  const termMonths = requireTerm(data.termMonths);
  const signatories = requireSignatories(context, data.signatories);
  const on = businessDate(data.on, context.today);
  const introduced = introducedOn(context.partnership);
  if (introduced !== null) {
    requireNotBefore(
      'agreement.before_introduction',
      'An agreement cannot be drafted before the parties were introduced',
      on,
      { introducedOn: introduced },
    );
  }
  return [
    {
      type: 'AgreementDrafted',
      data: {
        partnershipId: context.partnership.id,
        agreementId,
        title,
        scope,
        termMonths,
        signatories,
        on,
        occurredAt: context.occurredAt,
      },
    },
  ];
};

/** Absent fields keep their value. Any amendment voids the signatures collected so far. */
export const amendAgreement = (command: AmendAgreement, context: Context): PartnershipEvent[] => {
  const { data } = command;
  const agreement = findAgreement(context, data.agreementId);
  if (agreement.status !== 'draft') {
    throw fail('agreement.already_executed', 'An executed agreement cannot be amended', {
      agreementId: agreement.agreementId,
    });
  }
  const reason = requireText(data.reason, 'reason');
  const on = businessDate(data.on, context.today);
  requireNotBefore('agreement.before_draft', 'An amendment cannot be dated before the terms it amends', on, {
    termsOn: agreement.termsOn,
  });
  const lastSignedOn = agreement.signatures.reduce<string | null>(
    (latest, signature) => (latest === null || signature.signedOn > latest ? signature.signedOn : latest),
    null,
  );
  if (lastSignedOn !== null) {
    requireNotBefore(
      'agreement.before_signature',
      'An amendment cannot be dated before a signature it voids',
      on,
      { signedOn: lastSignedOn },
    );
  }
  const keep = (value: unknown): boolean => value === undefined || value === null;
  return [
    {
      type: 'AgreementAmended',
      data: {
        partnershipId: context.partnership.id,
        agreementId: agreement.agreementId,
        reason,
        amendment: agreement.amendments + 1,
        title: keep(data.title) ? agreement.title : collapseSpaces(requireText(data.title, 'title')),
        scope: keep(data.scope) ? agreement.scope : optionalText(data.scope, 'scope'),
        termMonths: keep(data.termMonths) ? agreement.termMonths : requireTerm(data.termMonths),
        signatories: keep(data.signatories)
          ? agreement.signatories
          : requireSignatories(context, data.signatories),
        clearedSignatures: agreement.signatures.map((signature) => signature.organizationId),
        on,
        occurredAt: context.occurredAt,
      },
    },
  ];
};

export const signAgreement = (command: SignAgreement, context: Context): PartnershipEvent[] => {
  const { data } = command;
  const agreement = findAgreement(context, data.agreementId);
  const { signature, pendingSignatories, executedOn } = decideSignature(
    'agreement',
    agreement,
    data,
    context.now,
  );
  const base = { partnershipId: context.partnership.id, agreementId: agreement.agreementId };
  const signed: PartnershipEvent = {
    type: 'AgreementSigned',
    data: {
      ...base,
      ...signature,
      pendingSignatories,
      on: signature.signedOn,
      occurredAt: context.occurredAt,
    },
  };
  if (executedOn === null) return [signed];
  return [
    signed,
    {
      type: 'AgreementExecuted',
      data: {
        ...base,
        title: agreement.title,
        signatories: agreement.signatories,
        termMonths: agreement.termMonths,
        executedOn,
        expiresOn: addMonths(executedOn, agreement.termMonths),
        on: executedOn,
        occurredAt: context.occurredAt,
      },
    },
  ];
};

/**
 * The agreement's term ends on its expiry date; the scheduler asks on or after that day (UTC). The expiry
 * is dated the end of term, and no rule reads it: "in force" is judged from `executedOn` and `expiresOn`,
 * so a step dated inside the term is accepted whether or not the expiry has been recorded yet.
 */
export const expireAgreement = (command: ExpireAgreement, context: Context): PartnershipEvent[] => {
  const agreement = findAgreement(context, command.data.agreementId);
  if (agreement.status === 'draft' || agreement.expiresOn === null) {
    throw fail('agreement.not_executed', `Agreement ${agreement.agreementId} has not been executed`, {
      agreementId: agreement.agreementId,
    });
  }
  if (agreement.status === 'expired') {
    throw fail('agreement.already_expired', `Agreement ${agreement.agreementId} has already expired`, {
      agreementId: agreement.agreementId,
    });
  }
  if (context.today < agreement.expiresOn) {
    throw fail(
      'agreement.term_not_ended',
      `Agreement ${agreement.agreementId} runs until ${agreement.expiresOn}`,
      {
        agreementId: agreement.agreementId,
        expiresOn: agreement.expiresOn,
      },
    );
  }
  return [
    {
      type: 'AgreementExpired',
      data: {
        partnershipId: context.partnership.id,
        agreementId: agreement.agreementId,
        title: agreement.title,
        expiresOn: agreement.expiresOn,
        on: agreement.expiresOn,
        occurredAt: context.occurredAt,
      },
    },
  ];
};

export type AgreementEvent =
  AgreementDrafted | AgreementAmended | AgreementSigned | AgreementExecuted | AgreementExpired;

/** The partnership after one of its agreement events; an executed agreement reaches `agreement_signed`. */
export const evolveAgreements = (partnership: Partnership, event: AgreementEvent): Partnership => {
  switch (event.type) {
    case 'AgreementDrafted': {
      const { agreementId, title, scope, termMonths, signatories, occurredAt, on } = event.data;
      return {
        ...partnership,
        agreements: [
          ...partnership.agreements,
          {
            agreementId,
            status: 'draft',
            title,
            scope,
            termMonths,
            signatories,
            signatures: [],
            amendments: 0,
            draftedAt: occurredAt,
            draftedOn: on,
            termsOn: on,
            executedOn: null,
            expiresOn: null,
            expiredAt: null,
          },
        ],
      };
    }
    case 'AgreementAmended': {
      const { agreementId, amendment, title, scope, termMonths, signatories, on } = event.data;
      return {
        ...partnership,
        agreements: replaceWhere(partnership.agreements, 'agreementId', agreementId, (agreement) => ({
          ...agreement,
          title,
          scope,
          termMonths,
          signatories,
          signatures: [],
          amendments: amendment,
          termsOn: on,
        })),
      };
    }
    case 'AgreementSigned': {
      const { agreementId, organizationId, signerName, signedAt, signedOn } = event.data;
      return {
        ...partnership,
        agreements: replaceWhere(partnership.agreements, 'agreementId', agreementId, (agreement) => ({
          ...agreement,
          signatures: [...agreement.signatures, { organizationId, signerName, signedAt, signedOn }],
        })),
      };
    }
    case 'AgreementExecuted': {
      const { agreementId, executedOn, expiresOn } = event.data;
      return advance(
        {
          ...partnership,
          agreements: replaceWhere(partnership.agreements, 'agreementId', agreementId, (agreement) => ({
            ...agreement,
            status: 'executed',
            executedOn,
            expiresOn,
          })),
        },
        'agreement_signed',
      );
    }
    case 'AgreementExpired': {
      const { agreementId, occurredAt } = event.data;
      return {
        ...partnership,
        agreements: replaceWhere(partnership.agreements, 'agreementId', agreementId, (agreement) => ({
          ...agreement,
          status: 'expired',
          expiredAt: occurredAt,
        })),
      };
    }
    default:
      return assertNever(event, 'agreement event');
  }
};
