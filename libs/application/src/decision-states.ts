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

/**
 * The commands a stream holds, by command id; never modified. A state folded on shares the entries of the
 * one before it: they are kept in layers, each at least twice the size of the next newer one (a new layer
 * is merged into the layers before it until that holds), so adding a command copies O(log n) entries on
 * average and a look-up reads at most log2 n maps. Copying the whole map at every command cost O(n) a
 * command on a long stream.
 */
export class AppliedCommands {
  static readonly none = new AppliedCommands(new Map(), undefined);

  private constructor(
    private readonly own: ReadonlyMap<string, AppliedCommand>,
    private readonly earlier: AppliedCommands | undefined,
  ) {}

  get(commandId: string): AppliedCommand | undefined {
    return this.own.get(commandId) ?? this.earlier?.get(commandId);
  }

  has(commandId: string): boolean {
    return this.get(commandId) !== undefined;
  }

  /** These commands added; an entry replaces the one an id had. `added` is kept: the caller lets go of it. */
  with(added: Map<string, AppliedCommand>): AppliedCommands {
    if (added.size === 0) return this;
    let own: Map<string, AppliedCommand> = added;
    let earlier: AppliedCommands | undefined = this === AppliedCommands.none ? undefined : this;
    while (earlier && earlier.own.size <= 2 * own.size) {
      const merged = new Map(earlier.own);
      for (const [commandId, entry] of own) merged.set(commandId, entry);
      own = merged;
      earlier = earlier.earlier;
    }
    return new AppliedCommands(own, earlier);
  }

  /** Every command and its entry. */
  entries(): Map<string, AppliedCommand> {
    const all = this.earlier ? this.earlier.entries() : new Map<string, AppliedCommand>();
    for (const [commandId, entry] of this.own) all.set(commandId, entry);
    return all;
  }
}

/** What deciding on a stream needs: its folded state, where it ends, and the commands it holds. */
export interface DecisionState<S> {
  state: S;
  /** -1 when the stream does not exist. */
  revision: number;
  /** Position of its last event; 0 when it has none. */
  position: number;
  applied: AppliedCommands;
}

export const emptyDecisionState = <S>(
  decider: Pick<Decider<unknown, unknown, S>, 'initialState'>,
): DecisionState<S> => ({
  state: decider.initialState(),
  revision: -1,
  position: 0,
  applied: AppliedCommands.none,
});

/** Pure: the decision state after `events` (the stream's next events, in revision order). */
export function foldDecisionState<S, E>(
  base: DecisionState<S>,
  events: readonly RecordedEvent[],
  decider: Pick<Decider<unknown, E, S>, 'evolve'>,
): DecisionState<S> {
  if (events.length === 0) return base;
  let state = base.state;
  const added = new Map<string, AppliedCommand>();
  for (const event of events) {
    state = decider.evolve(state, upcast(event) as unknown as E);
    const commandId = event.metadata.commandId;
    if (typeof commandId === 'string') {
      const first = added.get(commandId) ?? base.applied.get(commandId);
      added.set(commandId, {
        requestHash: first ? first.requestHash : event.metadata.requestHash,
        revision: event.revision,
        position: event.position,
      });
    }
  }
  const last = events[events.length - 1]!;
  return { state, revision: last.revision, position: last.position, applied: base.applied.with(added) };
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
