import { assertNever } from '../shared/decider';
import { fail } from '../shared/errors';
import { collapseSpaces, optionalText, requireIds, requireText } from '../shared/validation';
import { GOVERNMENT_KINDS, isOneOf } from '../shared/vocabulary';
import type { DraftMou, SignMou } from './commands';
import type { MouDrafted, MouExecuted, MouSigned, PartnershipEvent } from './events';
import { businessDate, Context, coversBothSides, decideSignature, factsOf, nonPartiesAmong } from './rules';
import { advance, replaceWhere, type Mou, type Partnership } from './state';

const findMou = (context: Context, mouId: string): Mou => {
  const mou = context.partnership.mous.find((candidate) => candidate.mouId === mouId);
  if (!mou) throw fail('mou.not_found', `MOU ${mouId} not found`, { mouId });
  return mou;
};

/**
 * The MOU crowns the bottom-up path: cluster agreements and a joint project come first, governments sign.
 * Both are judged on the MOU's date: an agreement executed and a project launched on or before it (an
 * agreement whose term has since ended still counts).
 */
export const draftMou = (command: DraftMou, context: Context): PartnershipEvent[] => {
  const { data } = command;
  const { partnership } = context;
  const mouId = requireText(data.mouId, 'mouId');
  if (partnership.mous.some((mou) => mou.mouId === mouId)) {
    throw fail('mou.already_exists', `MOU ${mouId} already exists`, { mouId });
  }
  const on = businessDate(data.on, context.today);
  const executed = partnership.agreements.filter((agreement) => agreement.executedOn !== null);
  if (!executed.some((agreement) => (agreement.executedOn as string) <= on)) {
    throw fail(
      'mou.no_executed_agreement',
      `An MOU needs at least one agreement executed on or before ${on}`,
      {
        on,
        executedOn: executed.map((agreement) => agreement.executedOn),
      },
    );
  }
  if (!partnership.projects.some((project) => project.launchedOn <= on)) {
    throw fail(
      'mou.no_joint_project',
      `An MOU needs at least one joint project launched on or before ${on}`,
      {
        on,
        launchedOn: partnership.projects.map((project) => project.launchedOn),
      },
    );
  }
  const title = collapseSpaces(requireText(data.title, 'title'));
  const scope = optionalText(data.scope, 'scope');
  const signatories = requireIds(data.signatories, 'signatories');
  const outsiders = nonPartiesAmong(partnership, signatories);
  if (outsiders.length > 0) {
    throw fail('mou.signatory_not_party', 'Every MOU signatory must be a party to the partnership', {
      organizationIds: outsiders,
    });
  }
  const facts = signatories.map((id) => factsOf(context.metadata, id));
  const nonGovernments = facts.filter((org) => !isOneOf(GOVERNMENT_KINDS, org.kind));
  if (nonGovernments.length > 0) {
    throw fail(
      'mou.signatory_not_government',
      'MOU signatories must be governments (agencies), regions or cities',
      {
        organizations: nonGovernments.map(({ id, kind }) => ({ organizationId: id, kind })),
        allowedKinds: GOVERNMENT_KINDS,
      },
    );
  }
  if (!coversBothSides(facts)) {
    throw fail(
      'mou.signatories_both_sides',
      'An MOU needs at least one signatory from California (US) and one from France (FR)',
      { signatories },
    );
  }
  return [
    {
      type: 'MouDrafted',
      data: {
        partnershipId: partnership.id,
        mouId,
        title,
        scope,
        signatories,
        on,
        occurredAt: context.occurredAt,
      },
    },
  ];
};

export const signMou = (command: SignMou, context: Context): PartnershipEvent[] => {
  const { data } = command;
  const mou = findMou(context, data.mouId);
  const { signature, pendingSignatories, executedOn } = decideSignature(
    'mou',
    { ...mou, termsOn: mou.draftedOn },
    data,
    context.now,
  );
  const base = { partnershipId: context.partnership.id, mouId: mou.mouId };
  const signed: PartnershipEvent = {
    type: 'MouSigned',
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
      type: 'MouExecuted',
      data: {
        ...base,
        title: mou.title,
        signatories: mou.signatories,
        executedOn,
        on: executedOn,
        occurredAt: context.occurredAt,
      },
    },
  ];
};

export type MouEvent = MouDrafted | MouSigned | MouExecuted;

/** The partnership after one of its MOU events; an executed MOU reaches `mou_signed`. */
export const evolveMous = (partnership: Partnership, event: MouEvent): Partnership => {
  switch (event.type) {
    case 'MouDrafted': {
      const { mouId, title, scope, signatories, occurredAt, on } = event.data;
      return {
        ...partnership,
        mous: [
          ...partnership.mous,
          {
            mouId,
            status: 'draft',
            title,
            scope,
            signatories,
            signatures: [],
            draftedAt: occurredAt,
            draftedOn: on,
            executedOn: null,
          },
        ],
      };
    }
    case 'MouSigned': {
      const { mouId, organizationId, signerName, signedAt, signedOn } = event.data;
      return {
        ...partnership,
        mous: replaceWhere(partnership.mous, 'mouId', mouId, (mou) => ({
          ...mou,
          signatures: [...mou.signatures, { organizationId, signerName, signedAt, signedOn }],
        })),
      };
    }
    case 'MouExecuted': {
      const { mouId, executedOn } = event.data;
      return advance(
        {
          ...partnership,
          mous: replaceWhere(partnership.mous, 'mouId', mouId, (mou) => ({
            ...mou,
            status: 'executed',
            executedOn,
          })),
        },
        'mou_signed',
      );
    }
    default:
      return assertNever(event, 'MOU event');
  }
};
