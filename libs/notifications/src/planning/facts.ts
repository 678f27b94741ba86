import type { Language, Partnership, PartnershipEvent } from '@passerelle/domain';
import type { NotificationSettings } from '../settings';

export interface ContactView {
  email: string;
  name: string;
  language: Language;
}

export interface OrganizationView {
  id: string;
  name: string;
  contacts: ContactView[];
}

/** What notifications know about a partnership: its current state, folded from the log, and its organisations. */
export interface PartnershipFacts {
  partnership: Partnership;
  organizations: ReadonlyMap<string, OrganizationView>;
}

/** An upcast partnership event with the envelope fields notifications use. */
export interface PartnershipEventEnvelope {
  id: string;
  position: number;
  event: PartnershipEvent;
}

export type PlanningSettings = Pick<
  NotificationSettings,
  | 'meetingReminderLeadMs'
  | 'signatureReminderIntervalMs'
  | 'signatureReminderMax'
  | 'renewalLeadMs'
  | 'signatureRequestDelayMs'
  | 'historyCutoffMs'
  | 'lateReminderToleranceMs'
  | 'observerEmails'
>;

export interface PlanningContext {
  now: Date;
  settings: PlanningSettings;
}
