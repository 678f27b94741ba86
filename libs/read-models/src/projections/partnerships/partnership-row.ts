import {
  evolvePartnership,
  initialPartnershipState,
  isPartnershipStream,
  LifecycleStage,
  Partnership,
  PARTNERSHIP_EVENT_VERSIONS,
  PartnershipEvent,
  STAGES,
} from '@passerelle/domain';
import type { ProjectedEvent } from '../../runner/projection';

/** The business date (YYYY-MM-DD) each lifecycle stage was reached; null while not reached. */
export type StageDates = Record<LifecycleStage, string | null>;

export interface PartnershipRow {
  id: string;
  /** The partnership folded with the domain's own `evolve`: `GET /partnerships/:id` serves it as is. */
  state: Partnership;
  revision: number;
  position: number;
  stageReachedOn: StageDates;
}

/** Every partnership event type the domain knows: the fold is the domain's own `evolve`. */
export const PARTNERSHIP_EVENT_TYPES = Object.keys(PARTNERSHIP_EVENT_VERSIONS) as PartnershipEvent['type'][];

const noDates = (): StageDates => ({
  proposed: null,
  introduced: null,
  agreement_signed: null,
  project_active: null,
  mou_signed: null,
});

/**
 * When the step happened, as the event says (history is often entered after the fact, so the time of
 * recording says little): its business date `on` — the proposal's date, the day the meeting was held, the
 * agreement's execution, the project's start (or the day it was recorded when it starts later). Events
 * written before `on` existed are upcast with one.
 */
export function businessDateOf(event: PartnershipEvent): string {
  return event.data.on;
}

export const partnershipIdOf = (event: ProjectedEvent): string | null =>
  isPartnershipStream(event.streamId) && typeof event.data.partnershipId === 'string'
    ? event.data.partnershipId
    : null;

/** The read-model row after one more event of the partnership's stream. Pure. */
export function evolvePartnershipRow(
  row: PartnershipRow | null,
  recorded: ProjectedEvent,
): PartnershipRow | null {
  const event = recorded as unknown as PartnershipEvent;
  const before = row?.state ?? initialPartnershipState();
  const state = evolvePartnership(before, event);
  if (state.status === 'none') return null;
  const stageReachedOn = { ...(row?.stageReachedOn ?? noDates()) };
  const from = before.status === 'none' ? -1 : STAGES.indexOf(before.lifecycleStage);
  const to = STAGES.indexOf(state.lifecycleStage);
  const date = businessDateOf(event);
  for (let index = from + 1; index <= to; index++) stageReachedOn[STAGES[index]!] ??= date;
  // A stage cannot have been reached after a later one (a proposal recorded after the meeting it led to).
  for (let index = STAGES.length - 1; index > 0; index--) {
    const later = stageReachedOn[STAGES[index]!];
    const earlier = stageReachedOn[STAGES[index - 1]!];
    if (later !== null && earlier !== null && earlier > later) stageReachedOn[STAGES[index - 1]!] = later;
  }
  return { id: state.id, state, revision: recorded.revision, position: recorded.position, stageReachedOn };
}

/** What is coming up for a partnership: meetings, signatures still awaited, agreements' ends. */
export interface AgendaItem {
  partnershipId: string;
  kind: 'meeting' | 'signature' | 'expiry';
  itemId: string;
  document: 'agreement' | 'mou' | null;
  organizationId: string | null;
  title: string | null;
  /** Meeting start, the business date of the terms awaiting signature (pending since), or the agreement's end date. */
  dueAt: string;
  endsAt: string | null;
  details: Record<string, unknown>;
}

/** Derived from the folded state; a withdrawn partnership has nothing coming up. Pure. */
export function agendaOf(state: Partnership): AgendaItem[] {
  if (state.status === 'withdrawn') return [];
  const base = { partnershipId: state.id, endsAt: null, details: {} };
  const items: AgendaItem[] = [];
  for (const meeting of state.meetings) {
    if (meeting.status !== 'scheduled') continue;
    items.push({
      ...base,
      kind: 'meeting',
      itemId: meeting.meetingId,
      document: null,
      organizationId: null,
      title: meeting.agenda,
      dueAt: meeting.startsAt,
      endsAt: meeting.endsAt,
      details: { timezone: meeting.timezone, location: meeting.location, videoUrl: meeting.videoUrl },
    });
  }
  const documents = [
    ...state.agreements.map((a) => ({ document: 'agreement' as const, id: a.agreementId, ...a })),
    ...state.mous.map((m) => ({ document: 'mou' as const, id: m.mouId, ...m })),
  ];
  for (const document of documents) {
    if (document.status !== 'draft') continue;
    const signed = new Set(document.signatures.map((s) => s.organizationId));
    for (const organizationId of document.signatories) {
      if (signed.has(organizationId)) continue;
      items.push({
        ...base,
        kind: 'signature',
        itemId: `${document.id}:${organizationId}`,
        document: document.document,
        organizationId,
        title: document.title,
        dueAt: `${'termsOn' in document ? document.termsOn : document.draftedOn}T00:00:00.000Z`,
      });
    }
  }
  for (const agreement of state.agreements) {
    if (agreement.status !== 'executed' || agreement.expiresOn === null) continue;
    items.push({
      ...base,
      kind: 'expiry',
      itemId: agreement.agreementId,
      document: 'agreement',
      organizationId: null,
      title: agreement.title,
      dueAt: `${agreement.expiresOn}T00:00:00.000Z`,
    });
  }
  return items;
}
