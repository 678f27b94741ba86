import { upcast } from '@passerelle/domain';
import type { RecordedEvent } from '@passerelle/event-store';
import { historyJson } from './history-json';

const event = (revision: number, type: string, data: Record<string, unknown>): RecordedEvent => ({
  id: `00000000-0000-4000-8000-${String(revision).padStart(12, '0')}`,
  type,
  version: 1,
  data: { partnershipId: 'p', ...data },
  metadata: { commandId: `c${revision}` },
  streamId: 'partnership-p',
  revision,
  position: 100 + revision,
  recordedAt: new Date(Date.UTC(2024, 0, 1, 0, revision)),
  hash: `h${revision}`,
});

/** The document as the route wrote it before: JSON.stringify of the mapped events. */
const expected = (events: RecordedEvent[]) => ({
  id: 'p',
  revision: events.at(-1)!.revision,
  events: events.map((e) => {
    const current = upcast(e);
    return {
      id: e.id,
      type: current.type,
      version: current.version,
      storedVersion: e.version,
      data: current.data,
      metadata: e.metadata,
      revision: e.revision,
      position: e.position,
      recordedAt: e.recordedAt.toISOString(),
      hash: e.hash,
    };
  }),
});

describe('historyJson', () => {
  it('writes the document JSON.stringify would, read after read, as the stream grows and fields open differently', () => {
    const plain = Array.from({ length: 5 }, (_, i) =>
      event(i, i % 2 ? 'PartnershipResumed' : 'PartnershipSuspended', { reason: 'r', on: '2024-01-01' }),
    );
    const signed = (name: string) =>
      ({ ...event(5, 'AgreementSigned', { signerName: name, on: '2024-01-02' }) }) as RecordedEvent;
    const more = event(6, 'PartnershipSuspended', { reason: 'again', on: '2024-01-03' });
    const reads: RecordedEvent[][] = [
      plain,
      plain,
      [...plain, signed('Alice Walker')],
      [...plain, signed('[erased]'), more],
      [...plain, signed('[erased]'), more],
      plain.slice(0, 3),
    ];
    for (const events of reads) {
      expect(JSON.parse(historyJson('p', events.at(-1)!.revision, events))).toEqual(expected(events));
    }
    expect(historyJson('p', 6, reads[4]!)).toBe(JSON.stringify(expected(reads[4]!)));
  });
});
