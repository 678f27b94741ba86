import type { PartnershipCommand } from './commands';
import type { PartnershipState } from './state';

/** Which organisations' facts a command's rules read, and whether they read the contacts. */
export type OrganizationFactsNeed = {
  /** Organisation ids whose facts the decision reads (none for most commands). */
  ids: string[];
  /**
   * True when the rules read contacts (meeting attendees). Otherwise only the facts an organisation
   * can never change — id, name, kind, country — are read, and contacts may be left empty.
   */
  contacts: boolean;
};

const NONE: OrganizationFactsNeed = { ids: [], contacts: false };

const partiesOf = (state: PartnershipState): string[] => (state.status === 'none' ? [] : state.parties);

const listed = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/**
 * The organisation facts `decidePartnership` will read for this command in this state — the application
 * loads exactly these and nothing else. Proposals read the proposed parties' countries; agreements and
 * MOUs the signatories' countries and kinds (signatories must be parties); meetings the parties'
 * contacts, since attendees must be among them. Every other command decides on the partnership alone.
 */
export const organizationFactsNeeded = (
  command: { type: PartnershipCommand['type']; data: unknown },
  state: PartnershipState,
): OrganizationFactsNeed => {
  switch (command.type) {
    case 'ProposePartnership':
      return { ids: listed((command.data as { parties?: unknown }).parties), contacts: false };
    case 'DraftAgreement':
    case 'DraftMou':
      return { ids: partiesOf(state), contacts: false };
    case 'AmendAgreement': {
      const { signatories } = command.data as { signatories?: unknown };
      return signatories === undefined || signatories === null
        ? NONE
        : { ids: partiesOf(state), contacts: false };
    }
    case 'ScheduleIntroductionMeeting':
      return { ids: partiesOf(state), contacts: true };
    case 'RecordIntroductionMeetingOutcome': {
      const { attendeesPresent } = command.data as { attendeesPresent?: unknown };
      return attendeesPresent === undefined || attendeesPresent === null
        ? NONE
        : { ids: partiesOf(state), contacts: true };
    }
    default:
      return NONE;
  }
};
