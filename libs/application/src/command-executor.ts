import { Inject, Injectable } from '@nestjs/common';
import { Command, currentVersionOf, Decider, DomainEvent, hasPersonalData, upcast } from '@passerelle/domain';
import {
  AppendResult,
  DuplicateEventIdError,
  EVENT_STORE,
  EventMetadata,
  EventStore,
  NewEvent,
  WrongExpectedRevisionError,
} from '@passerelle/event-store';
import { CLOCK, Clock } from './clock';
import { CommandContext } from './command-context';
import {
  AppliedCommand,
  DecisionState,
  DecisionStateCache,
  emptyDecisionState,
  foldDecisionState,
} from './decision-states';
import { IdempotencyKeyReusedError, StaleRevisionError } from './errors';
import { eventIdFor } from './ids';
import { REQUEST_DIGEST, RequestDigest } from './infrastructure/tokens';

/** What the executor decides on and appends: the domain's own command and event shapes. */
type AnyCommand = Command<string, unknown, unknown>;
type AnyEvent = DomainEvent<string, Record<string, unknown>>;

export interface ExecuteOutcome {
  revision: number;
  position: number;
  appended: boolean;
}

export interface ExecuteOptions<State> {
  /**
   * Refuses (throws) when the actor may not issue this command on this stream's state — before a
   * repeat is replayed, If-Match is checked or anything is decided.
   */
  authorize?: (state: State) => void;
}

/** How many times a write that lost a race without If-Match is decided again on fresh state. */
const MAX_ATTEMPTS = 4;

/** A decision state, and whether it was read from the store for this command (or only kept). */
interface Basis<S> {
  value: DecisionState<S>;
  loadedAt: number;
  fresh: boolean;
}

/**
 * Load, decide, append — the whole of a command handler (reading a stream without deciding is
 * AggregateStreams'). Usually one round trip: the decision is made on the state the last command on
 * the stream left here, and the append at its revision proves it was current (decision 0026); a
 * refusal, a repeat, a stale If-Match or a lost race is answered only on a state read for it.
 * Idempotent: a command whose events are already in the stream answers its first result; a race
 * without If-Match is decided again.
 */
@Injectable()
export class CommandExecutor {
  private readonly decisionStates = new DecisionStateCache();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REQUEST_DIGEST) private readonly requestDigest: RequestDigest,
  ) {}

  async execute<S, C extends AnyCommand, E extends AnyEvent>(
    streamId: string,
    decider: Decider<C, E, S>,
    makeCommand: (state: S, now: Date) => C | Promise<C>,
    context: CommandContext,
    options: ExecuteOptions<S> = {},
  ): Promise<ExecuteOutcome> {
    const digest = this.requestDigest(context.requestHash);
    let basis = this.kept<S>(streamId) ?? (await this.read(streamId, decider));
    const readAgain = async () => {
      basis = await this.read(streamId, decider);
    };
    for (let lost = 0; ;) {
      const { state, revision, position, applied } = basis.value;
      if (basis.fresh) {
        options.authorize?.(state);
        const earlier = applied.get(context.commandId);
        if (earlier) return this.replay(earlier, digest);
        if (context.ifMatch !== undefined && context.ifMatch !== revision) {
          throw new StaleRevisionError(context.ifMatch, revision);
        }
      } else if (
        // Anything but an append is answered only on a state read for this command: a kept state may
        // be behind the stream, and only an append at its revision proves it was not.
        !permits(options.authorize, state) ||
        applied.has(context.commandId) ||
        (context.ifMatch !== undefined && context.ifMatch !== revision)
      ) {
        await readAgain();
        continue;
      }
      const now = this.clock.now();
      let produced: E[];
      try {
        produced = decider.decide(await makeCommand(state, now), state);
      } catch (refusal) {
        if (basis.fresh) throw refusal;
        await readAgain();
        continue;
      }
      if (produced.length === 0) {
        if (basis.fresh) return { revision, position, appended: false };
        await readAgain();
        continue;
      }
      const metadata = this.metadataFor(context, digest);
      const newEvents = produced.map((event, index) => ({
        id: eventIdFor(context.commandId, index),
        type: event.type,
        version: currentVersionOf(event.type),
        data: event.data,
        metadata,
      }));
      let result: AppendResult;
      try {
        result = await this.store.appendToStream(
          streamId,
          newEvents,
          revision === -1 ? 'no_stream' : revision,
        );
      } catch (error) {
        if (error instanceof DuplicateEventIdError) {
          // The command's event ids are stored already: by a repeat of this request that another
          // replica answered (found in this stream), or by another request under the same
          // Idempotency-Key that touched another stream (e.g. another organisation name).
          await readAgain();
          if (!basis.value.applied.has(context.commandId)) throw new IdempotencyKeyReusedError();
          continue;
        }
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        this.decisionStates.contest(streamId);
        if (basis.fresh && context.ifMatch !== undefined) {
          throw new StaleRevisionError(context.ifMatch, error.actual ?? -1);
        }
        if (basis.fresh && ++lost >= MAX_ATTEMPTS) throw error;
        await readAgain();
        continue;
      }
      if (!result.appended) {
        // Every event id was in this stream already: a repeat, answered (or refused, for another body)
        // from the stream as it is now.
        await readAgain();
        if (!basis.value.applied.has(context.commandId)) return outcomeOf(result);
        continue;
      }
      this.keepAppended(streamId, basis, decider, newEvents, result, context.commandId, digest);
      return outcomeOf(result);
    }
  }

  /**
   * Decides without appending: throws the refusal `execute` would answer, or returns whether the
   * command was already applied (a repeat, which `execute` replays). For a command that spans two
   * streams: check the second before writing the first. Always on a state read for it: nothing
   * appended proves a kept state current.
   */
  async check<S, C extends AnyCommand, E extends AnyEvent>(
    streamId: string,
    decider: Decider<C, E, S>,
    makeCommand: (state: S, now: Date) => C | Promise<C>,
    context: CommandContext,
  ): Promise<{ alreadyApplied: boolean }> {
    const { state, applied } = (await this.read(streamId, decider)).value;
    if (applied.has(context.commandId)) return { alreadyApplied: true };
    decider.decide(await makeCommand(state, this.clock.now()), state);
    return { alreadyApplied: false };
  }

  private replay(earlier: AppliedCommand, digest: string): ExecuteOutcome {
    if (earlier.requestHash !== digest) throw new IdempotencyKeyReusedError();
    return { revision: earlier.revision, position: earlier.position, appended: false };
  }

  /** The state kept for this stream, when it may be decided on without reading first. */
  private kept<S>(streamId: string): Basis<S> | undefined {
    const kept = this.decisionStates.get<S>(streamId, Date.now());
    if (!kept || kept.behind || kept.contested) return undefined;
    return { value: kept.value, loadedAt: kept.loadedAt, fresh: false };
  }

  /**
   * The stream as a decision needs it, read now: the state kept for it (see DecisionStateCache)
   * brought up to date with the events appended since — usually none or one.
   */
  private async read<S, C, E extends AnyEvent>(
    streamId: string,
    decider: Decider<C, E, S>,
  ): Promise<Basis<S>> {
    const now = Date.now();
    const kept = this.decisionStates.get<S>(streamId, now);
    const base = kept?.value ?? emptyDecisionState(decider);
    const newer = await this.store.readStream(
      streamId,
      base.revision >= 0 ? { fromRevision: base.revision + 1 } : {},
    );
    const value = foldDecisionState(base, newer, decider);
    const loadedAt = kept?.loadedAt ?? now;
    // Contention ends when a read finds that nobody else wrote since the state kept.
    this.decisionStates.set(streamId, value, loadedAt, {
      contested: (kept?.contested ?? false) && newer.length > 0,
    });
    return { value, loadedAt, fresh: true };
  }

  /**
   * Keeps the state after this command's own append, so the next command on the stream need not read
   * it back. The state must hold what a read would give: events with personal data are folded in only
   * as the store says a read opens them (`readBack`: the personal-data layer may have written a field
   * as "[erased]", a forgotten person). From a store that does not say, the stream is marked as past
   * the state kept, and read back by the next command.
   */
  private keepAppended<S, C, E extends AnyEvent>(
    streamId: string,
    basis: Basis<S>,
    decider: Decider<C, E, S>,
    appended: readonly NewEvent[],
    result: AppendResult,
    commandId: string,
    digest: string,
  ): void {
    const base = basis.value;
    const { readBack } = result;
    const foldable =
      result.revision === base.revision + appended.length &&
      appended.every((event, index) => readBack?.[index] !== undefined || !hasPersonalData(event.type));
    if (!foldable) {
      this.decisionStates.set(streamId, base, basis.loadedAt, { behind: true });
      return;
    }
    let state = base.state;
    for (const [index, event] of appended.entries()) {
      // As a read would give it: through JSON (as stored) and the upcaster.
      const data = JSON.parse(JSON.stringify(readBack?.[index] ?? event.data)) as Record<string, unknown>;
      state = decider.evolve(
        state,
        upcast({ type: event.type, version: event.version, data }) as unknown as E,
      );
    }
    const applied = base.applied.with(
      new Map([[commandId, { requestHash: digest, revision: result.revision, position: result.position }]]),
    );
    this.decisionStates.set(
      streamId,
      { state, revision: result.revision, position: result.position, applied },
      basis.loadedAt,
    );
  }

  /** Drops every kept decision state (after "forget this person", so none holds their details in clear). */
  forgetDecisionStates(): void {
    this.decisionStates.clear();
  }

  private metadataFor(context: CommandContext, digest: string): EventMetadata {
    return {
      actor: context.actor,
      correlationId: context.correlationId,
      causationId: context.commandId,
      commandId: context.commandId,
      requestHash: digest,
      ...(context.idempotencyKey ? { idempotencyKey: context.idempotencyKey } : {}),
    };
  }
}

/** The append's answer without what it read back (personal data in clear stays in the executor). */
const outcomeOf = ({ revision, position, appended }: AppendResult): ExecuteOutcome => ({
  revision,
  position,
  appended,
});

/** Whether `authorize` lets the command through on this state (no check: it does). */
function permits<S>(authorize: ((state: S) => void) | undefined, state: S): boolean {
  if (!authorize) return true;
  try {
    authorize(state);
    return true;
  } catch {
    return false;
  }
}
