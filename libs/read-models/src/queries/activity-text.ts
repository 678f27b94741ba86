import type { ActivityRow } from '../projections/activity/activity.projection';

export interface ActivityContext {
  organizationName(id: string): string | undefined;
  partnershipTitle(id: string): string | undefined;
  /** Title of an agreement, MOU or project of a partnership, by its id. */
  itemTitle(partnershipId: string, itemId: string): string | undefined;
}

/** "A", "A and B", "A, B and C". */
export const listOf = (names: string[]): string =>
  names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;

const OUTCOMES: Record<string, string> = {
  interested: 'want to go further',
  follow_up: 'will follow up',
  not_interested: 'will not go further',
};

const day = (value: unknown): string => (typeof value === 'string' ? value.slice(0, 10) : '?');

/** The feed entry in plain words. Pure: names come from `context`. */
export function describeActivity(row: ActivityRow, context: ActivityContext): string {
  const f = row.facts as Record<string, unknown> & {
    title?: string;
    parties?: string[];
    signatories?: string[];
    leads?: string[];
    attendeeOrganizations?: string[];
  };
  const org = (id: unknown) =>
    (typeof id === 'string' && context.organizationName(id)) || 'an unknown organisation';
  const orgs = (ids: unknown) => listOf((Array.isArray(ids) ? ids : []).map(org));
  const pid = row.partnershipId ?? '';
  const partnership = `«${context.partnershipTitle(pid) ?? f.title ?? 'untitled'}»`;
  const item = (key: string) =>
    `«${(typeof f[key] === 'string' && context.itemTitle(pid, f[key] as string)) || f.title || 'untitled'}»`;

  switch (row.type) {
    case 'PartnershipProposed':
      return `${orgs(f.parties)} proposed the partnership «${f.title}»`;
    case 'IntroductionMeetingScheduled':
      return f.attendeeOrganizations?.length
        ? `${orgs(f.attendeeOrganizations)} will meet on ${day(f.startsAt)} to introduce ${partnership}`
        : `An introduction meeting for ${partnership} was scheduled on ${day(f.startsAt)}`;
    case 'IntroductionMeetingRescheduled':
      return `The introduction meeting for ${partnership} moved from ${day(f.previousStartsAt)} to ${day(f.startsAt)}`;
    case 'IntroductionMeetingCancelled':
      return `The introduction meeting for ${partnership} on ${day(f.startsAt)} was cancelled`;
    case 'IntroductionMeetingHeld':
      return `The parties of ${partnership} met on ${day(f.heldAt)} and ${OUTCOMES[String(f.outcome)] ?? String(f.outcome)}`;
    case 'AgreementDrafted':
      return `The agreement «${f.title}» of ${partnership} awaits the signatures of ${orgs(f.signatories)}`;
    case 'AgreementAmended':
      return `The agreement «${f.title}» was amended (${String(f.reason)}); its signatories sign again`;
    case 'AgreementSigned':
      return `${org(f.organizationId)} signed the agreement ${item('agreementId')}`;
    case 'AgreementExecuted':
      return `${orgs(f.signatories)} executed the agreement «${f.title}»`;
    case 'AgreementExpired':
      return `The agreement «${f.title}» of ${partnership} expired on ${day(f.expiresOn)}`;
    case 'JointProjectLaunched': {
      const budget = f.budget as { amount?: number; currency?: string } | undefined;
      const amount =
        budget?.amount !== undefined
          ? ` with a budget of ${budget.amount} ${budget.currency ?? ''}`.trimEnd()
          : '';
      return `${orgs(f.leads)} launched the joint project «${f.title}»${amount}`;
    }
    case 'JointProjectMilestoneReached':
      return `The joint project ${item('projectId')} reached its milestone «${f.title}» on ${day(f.reachedOn)}`;
    case 'JointProjectCompleted':
      return `The joint project «${f.title}» was completed on ${day(f.completedOn)}`;
    case 'MouDrafted':
      return `The memorandum of understanding «${f.title}» awaits the signatures of ${orgs(f.signatories)}`;
    case 'MouSigned':
      return `${org(f.organizationId)} signed the memorandum of understanding ${item('mouId')}`;
    case 'MouExecuted':
      return `${orgs(f.signatories)} executed the memorandum of understanding «${f.title}»`;
    case 'PartnershipSuspended':
      return `${partnership} was put on hold: ${String(f.reason)}`;
    case 'PartnershipResumed':
      return `${partnership} resumed`;
    case 'PartnershipWithdrawn':
      return `${partnership} was withdrawn: ${String(f.reason)}`;
    case 'OrganizationRegistered':
      return `${String(f.name)} (${String(f.country)}) joined the register`;
    default:
      return row.type;
  }
}
