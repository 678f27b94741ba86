import { histories, PARTNERSHIP_ID } from '@passerelle/domain/testing/fixtures';
import type { RecordedEvent } from '@passerelle/event-store';
import { evolveStreamRow } from '../projections/streams/streams.projection';
import { recorded } from '../testing/recorded';
import { LogChecker } from './verify';

const STREAM = `partnership-${PARTNERSHIP_ID}`;
const check = (events: RecordedEvent[]) => {
  const checker = new LogChecker();
  for (const event of events) {
    checker.check(event);
    checker.checkDecoded(event);
  }
  return checker.problems.map(({ kind, revision, position }) => ({ kind, revision, position }));
};

describe('checking the log', () => {
  const log = () => recorded(STREAM, histories.agreementExecuted());

  it('finds nothing wrong with an intact log', () => {
    expect(check(log())).toEqual([]);
  });

  it('names an event whose data was changed after it was written, and only that one', () => {
    const events = log();
    events[3] = { ...events[3]!, data: { ...events[3]!.data, title: 'Another title' } };
    expect(check(events)).toEqual([{ kind: 'hash_mismatch', revision: 3, position: 4 }]);
  });

  it('notices a missing event and positions out of order', () => {
    const events = log();
    events.splice(2, 1);
    expect(check(events)).toContainEqual({ kind: 'revision_gap', revision: 3, position: 4 });
    const swapped = log();
    swapped[4] = { ...swapped[4]!, position: 2 };
    expect(check(swapped)).toContainEqual({ kind: 'position_order', revision: 4, position: 2 });
  });

  it('notices an event that names another partnership than its stream, or cannot be upcast', () => {
    const events = recorded('partnership-00000000-0000-4000-8000-00000000ffff', histories.proposed());
    expect(check(events)).toEqual([{ kind: 'stream_mismatch', revision: 0, position: 1 }]);
    const [old] = recorded(STREAM, [
      { type: 'PartnershipProposed', data: { partnershipId: PARTNERSHIP_ID } },
    ]);
    expect(check([{ ...old!, version: 0 }]).map((p) => p.kind)).toContain('undecodable');
  });
});

describe('the streams projection', () => {
  it('counts events per stream, so a repeated or skipped event shows', () => {
    const events = log();
    const row = events.reduce(evolveStreamRow, null as ReturnType<typeof evolveStreamRow> | null);
    expect(row).toMatchObject({
      streamId: STREAM,
      category: 'partnership',
      events: 7,
      lastRevision: 6,
      lastPosition: 7,
    });
    function log() {
      return recorded(STREAM, histories.agreementExecuted());
    }
  });
});
