import type { Decider } from '@passerelle/domain';
import { upcast } from '@passerelle/domain';
import type { RecordedEvent } from '@passerelle/event-store';
import { FORGOTTEN_WITHIN_MS } from '@passerelle/privacy';

/** A command already in the stream: enough to answer its repeat (or refuse another body under its key). */
export interface AppliedCommand {
  /** The request digest of its first event's metadata. */
  requestHash: unknown;
  /** Revision and position of its last event. */
  revision: number;
  position: number;
}

/** What deciding on a stream needs: its folded state, where it ends, and the commands it holds. */
export interface DecisionState<S> {
  state: S;
  /** -1 when the stream does not exist. */
  revision: number;
  /** Position of its last event; 0 when it has none. */
  position: number;
  applied: ReadonlyMap<string, AppliedCommand>;
}

export const emptyDecisionState = <S>(
  decider: Pick<Decider<unknown, unknown, S>, 'initialState'>,
): DecisionState<S> => ({
  state: decider.initialState(),
  revision: -1,
  position: 0,
  applied: new Map(),
});

/** Pure: the decision state after `events` (the stream's next events, in revision order). */
export function foldDecisionState<S, E>(
  base: DecisionState<S>,
  events: readonly RecordedEvent[],
  decider: Pick<Decider<unknown, E, S>, 'evolve'>,
): DecisionState<S> {
  if (events.length === 0) return base;
  let state = base.state;
  const applied = new Map(base.applied);
  for (const event of events) {
    state = decider.evolve(state, upcast(event) as unknown as E);
    const commandId = event.metadata.commandId;
    if (typeof commandId === 'string') {
      const first = applied.get(commandId);
      applied.set(commandId, {
        requestHash: first ? first.requestHash : event.metadata.requestHash,
        revision: event.revision,
        position: event.position,
      });
    }
  }
  const last = events[events.length - 1]!;
  return { state, revision: last.revision, position: last.position, applied };
}

/** A decision state kept for a stream, and what is known of how current it is. */
export interface KeptDecisionState<S> {
  value: DecisionState<S>;
  /** When the chain of reads behind this state started from the beginning of the stream. */
  loadedAt: number;
  /**
   * The stream is known to be past `value`: this process appended events it did not fold in (they hold
   * personal data, which is folded only as the store gives it back). Read before deciding.
   */
  behind: boolean;
  /**
   * An append decided on this state lost to another writer, and no read since found the stream
   * unchanged: the stream is being written elsewhere. Read before deciding.
   */
  contested: boolean;
}

/**
 * Folded decision states by stream, so a command decides on the state the last one left (and reads only
 * the events appended since, when it must read). Bounded (least recently used go first) and short-lived:
 * an entry is read again in full once `maxAgeMs` has passed since its last full read, so personal data it
 * holds in clear (an attendee's name) does not outlive a "forget this person" for longer than the key
 * caches do.
 */
export class DecisionStateCache {
  private readonly entries = new Map<string, KeptDecisionState<unknown>>();

  constructor(
    private readonly limit = 5000,
    private readonly maxAgeMs = FORGOTTEN_WITHIN_MS,
  ) {}

  /** A state to continue from, or undefined: none, or too old. */
  get<S>(streamId: string, now: number): KeptDecisionState<S> | undefined {
    const entry = this.entries.get(streamId);
    if (!entry) return undefined;
    if (now - entry.loadedAt >= this.maxAgeMs) {
      this.entries.delete(streamId);
      return undefined;
    }
    return entry as KeptDecisionState<S>;
  }

  /**
   * `loadedAt`: when the chain of reads behind this state started from the beginning of the stream.
   * Concurrent commands on one stream: the furthest state is kept.
   */
  set<S>(
    streamId: string,
    value: DecisionState<S>,
    loadedAt: number,
    known: { behind?: boolean; contested?: boolean } = {},
  ): void {
    const current = this.entries.get(streamId);
    if (current && current.value.revision > value.revision) return;
    this.entries.delete(streamId);
    this.entries.set(streamId, {
      value,
      loadedAt,
      behind: known.behind ?? false,
      contested: known.contested ?? false,
    });
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }

  /** An append on this stream lost to another writer: the next command reads before deciding. */
  contest(streamId: string): void {
    const current = this.entries.get(streamId);
    if (current) current.contested = true;
  }

  clear(): void {
    this.entries.clear();
  }
}
