import type { Decider } from '@passerelle/domain';
import type { RecordedEvent } from '@passerelle/event-store';
import {
  AppliedCommands,
  DecisionState,
  DecisionStateCache,
  emptyDecisionState,
  foldDecisionState,
} from './decision-states';

type Counted = { type: 'Counted'; data: { by: number } };
const counter: Decider<never, Counted, number> = {
  initialState: () => 0,
  evolve: (state, event) => state + event.data.by,
  decide: () => [],
};

const recorded = (revision: number, commandId: string, requestHash: string): RecordedEvent =>
  ({
    id: `00000000-0000-4000-8000-${String(revision).padStart(12, '0')}`,
    streamId: 'counter-1',
    type: 'Counted',
    version: 1,
    data: { by: revision + 1 },
    metadata: { commandId, requestHash, actor: { sub: 't', roles: [] }, correlationId: 'c' },
    revision,
    position: 100 + revision,
    recordedAt: new Date(),
    hash: '',
  }) as unknown as RecordedEvent;

describe('decision states', () => {
  it('fold on from where they were: the same state as folding the whole stream at once', () => {
    const events = [recorded(0, 'a', 'h-a'), recorded(1, 'b', 'h-b'), recorded(2, 'b', 'h-b2')];
    const whole = foldDecisionState(emptyDecisionState(counter), events, counter);
    const stepwise = events.reduce(
      (state: DecisionState<number>, event) => foldDecisionState(state, [event], counter),
      emptyDecisionState(counter),
    );
    const contents = (state: DecisionState<number>) => ({ ...state, applied: state.applied.entries() });
    expect(contents(stepwise)).toEqual(contents(whole));
    expect(whole).toMatchObject({ state: 6, revision: 2, position: 102 });
    // A command of two events: the first one's request digest, the last one's revision and position.
    expect(whole.applied.get('b')).toEqual({ requestHash: 'h-b', revision: 2, position: 102 });
    expect(whole.applied.get('a')).toEqual({ requestHash: 'h-a', revision: 0, position: 100 });
  });

  it('leave the state they started from as it was', () => {
    const base = foldDecisionState(emptyDecisionState(counter), [recorded(0, 'a', 'h')], counter);
    foldDecisionState(base, [recorded(1, 'b', 'h')], counter);
    expect(base).toMatchObject({ state: 1, revision: 0 });
    expect([...base.applied.entries().keys()]).toEqual(['a']);
  });

  it('find every command of a long stream folded one command at a time, and leave earlier states as they were', () => {
    const states = [emptyDecisionState(counter)];
    for (let revision = 0; revision < 1000; revision++) {
      // Revisions 0 and 1 are one command's, 10 and 11 another's, and so on.
      const commandId = `c-${revision % 10 === 1 ? revision - 1 : revision}`;
      states.push(
        foldDecisionState(states.at(-1)!, [recorded(revision, commandId, `h-${revision}`)], counter),
      );
    }
    const last = states.at(-1)!;
    expect(last.applied.entries().size).toBe(900);
    expect(last.applied.get('c-0')).toEqual({ requestHash: 'h-0', revision: 1, position: 101 });
    expect(last.applied.get('c-998')).toEqual({ requestHash: 'h-998', revision: 998, position: 1098 });
    expect(last.applied.has('c-1')).toBe(false);
    for (const [index, state] of states.entries()) {
      expect(state.applied.has('c-500')).toBe(index > 500);
      expect(state.applied.entries().size).toBe(index - Math.floor((index + 8) / 10));
    }
  });
});

describe('DecisionStateCache', () => {
  const at = (revision: number): DecisionState<number> => ({
    state: revision,
    revision,
    position: revision,
    applied: AppliedCommands.none,
  });

  it('forgets an entry once its full read is older than the limit, however often it was continued', () => {
    const cache = new DecisionStateCache(10, 1000);
    cache.set('s', at(1), 0);
    cache.set('s', at(2), 0);
    expect(cache.get<number>('s', 999)?.value.revision).toBe(2);
    expect(cache.get('s', 1000)).toBeUndefined();
    expect(cache.get('s', 0)).toBeUndefined();
  });

  it('keeps the furthest state when concurrent commands on one stream finish out of order', () => {
    const cache = new DecisionStateCache();
    cache.set('s', at(5), 0);
    cache.set('s', at(4), 0);
    expect(cache.get<number>('s', 1)?.value.revision).toBe(5);
  });

  it('lets the least recently used stream go past its size, and everything go when cleared', () => {
    const cache = new DecisionStateCache(2, 60_000);
    cache.set('a', at(1), 0);
    cache.set('b', at(1), 0);
    cache.set('a', at(2), 0);
    cache.set('c', at(1), 0);
    expect(cache.get('b', 1)).toBeUndefined();
    expect(cache.get<number>('a', 1)?.value.revision).toBe(2);
    cache.clear();
    expect(cache.get('a', 1)).toBeUndefined();
  });
});
