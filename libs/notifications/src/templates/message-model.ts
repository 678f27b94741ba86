import type { Template } from '../model';

/** A meeting as a message shows it; times are ISO instants, shown in the meeting's time zone. */
export interface MeetingView {
  startsAt: string;
  endsAt: string;
  timezone: string;
  location: string | null;
  videoUrl: string | null;
  agenda: string | null;
  /** Set on an update: when it was before. */
  previousStartsAt: string | null;
  /** Set on a cancellation. */
  reason: string | null;
}

export interface DocumentView {
  kind: 'agreement' | 'mou';
  title: string;
  scope: string | null;
  /** Agreements only. */
  termMonths: number | null;
  /** Organisation names. */
  signatories: string[];
  /** Organisation names of those who signed already. */
  signed: string[];
}

interface Base<T extends Template> {
  template: T;
  partnershipTitle: string;
}

type MeetingTemplate = 'meeting.invitation' | 'meeting.updated' | 'meeting.cancelled' | 'meeting.reminder';

type MeetingModel = { [T in MeetingTemplate]: Base<T> & { meeting: MeetingView } }[MeetingTemplate];

/** Everything a template needs, gathered by the worker from the log; rendering is pure. */
export type MessageModel =
  | MeetingModel
  | (Base<'signature.request'> & {
      document: DocumentView;
      /** The recipient's organisation, asked to sign. */
      organizationName: string;
      /** Set when the request follows an amendment. */
      amendmentReason: string | null;
    })
  | (Base<'signature.reminder'> & {
      document: DocumentView;
      organizationName: string;
      reminder: number;
      reminderMax: number;
    })
  | (Base<'agreement.executed'> & {
      title: string;
      executedOn: string;
      expiresOn: string;
      signatories: string[];
    })
  | (Base<'mou.executed'> & { title: string; executedOn: string; signatories: string[] })
  | (Base<'project.launched'> & {
      title: string;
      description: string | null;
      startsOn: string;
      budget: { amount: number; currency: string };
      leads: string[];
      milestones: { title: string; dueOn: string }[];
    })
  | (Base<'partnership.withdrawn'> & { reason: string })
  | (Base<'agreement.renewal'> & { title: string; expiresOn: string; signatories: string[] });

export type ModelOf<T extends Template> = Extract<MessageModel, { template: T }>;
