import { Inject, Injectable } from '@nestjs/common';
import { Decider, upcast } from '@passerelle/domain';
import {
  DuplicateEventIdError,
  EVENT_STORE,
  EventMetadata,
  EventStore,
  RecordedEvent,
  WrongExpectedRevisionError,
} from '@passerelle/event-store';
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
import { CLOCK, Clock } from './clock';
import { currentVersionOf } from '@passerelle/domain';
import { MasterKey } from '@passerelle/privacy';
import { MASTER_KEY } from './infrastructure/personal-data.providers';

interface DomainEvent {
  type: string;
  data: Record<string, unknown>;
}
interface DomainCommand {
  type: string;
  data: Record<string, unknown>;
  metadata: { now: Date };
}

export interface Folded<State> {
  state: State;
  /** -1 when the stream does not exist. */
  revision: number;
  events: RecordedEvent[];
}

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

/**
 * Load, decide, append — the whole of a command handler. Idempotent: a command whose events are
 * already in the stream answers its first result; a race without If-Match is decided again.
 */
@Injectable()
export class CommandExecutor {
  private readonly decisionStates = new DecisionStateCache();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MASTER_KEY) private readonly masterKey: MasterKey,
  ) {}

  async load<S, C, E extends DomainEvent>(
    streamId: string,
    decider: Decider<C, E, S>,
    options: { toRevision?: number; asOf?: Date } = {},
  ): Promise<Folded<S>> {
    const recorded = await this.store.readStream(
      streamId,
      options.toRevision === undefined ? {} : { toRevision: options.toRevision },
    );
    const events = options.asOf
      ? recorded.filter((e) => e.recordedAt.getTime() <= options.asOf!.getTime())
      : recorded;
    let state = decider.initialState();
    for (const event of events) state = decider.evolve(state, upcast(event) as unknown as E);
    return { state, revision: events.length ? events[events.length - 1]!.revision : -1, events };
  }

  async execute<S, C extends DomainCommand, E extends DomainEvent>(
    streamId: string,
    decider: Decider<C, E, S>,
    makeCommand: (state: S, now: Date) => C | Promise<C>,
    context: CommandContext,
    options: ExecuteOptions<S> = {},
  ): Promise<ExecuteOutcome> {
    for (let attempt = 1; ; attempt++) {
      const { state, revision, position, applied } = await this.decisionState(streamId, decider);
      options.authorize?.(state);
      const earlier = applied.get(context.commandId);
      if (earlier) return this.replay(earlier, context);
      if (context.ifMatch !== undefined && context.ifMatch !== revision) {
        throw new StaleRevisionError(context.ifMatch, revision);
      }
      const now = this.clock.now();
      const produced = decider.decide(await makeCommand(state, now), state);
      if (produced.length === 0) return { revision, position, appended: false };
      const metadata = this.metadataFor(context);
      const newEvents = produced.map((event, index) => ({
        id: eventIdFor(context.commandId, index),
        type: event.type,
        version: currentVersionOf(event.type),
        data: event.data,
        metadata,
      }));
      try {
        const result = await this.store.appendToStream(
          streamId,
          newEvents,
          revision === -1 ? 'no_stream' : revision,
        );
        return result;
      } catch (error) {
        // The command's event ids are already in another stream: its Idempotency-Key came with
        // another request (one that touched another stream, e.g. another organisation name).
        if (error instanceof DuplicateEventIdError) throw new IdempotencyKeyReusedError();
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (context.ifMatch !== undefined) throw new StaleRevisionError(context.ifMatch, error.actual ?? -1);
        if (attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Decides without appending: throws the refusal `execute` would answer, or returns whether the
   * command was already applied (a repeat, which `execute` replays). For a command that spans two
   * streams: check the second before writing the first.
   */
  async check<S, C extends DomainCommand, E extends DomainEvent>(
    streamId: string,
    decider: Decider<C, E, S>,
    makeCommand: (state: S, now: Date) => C | Promise<C>,
    context: CommandContext,
  ): Promise<{ alreadyApplied: boolean }> {
    const { state, applied } = await this.decisionState(streamId, decider);
    if (applied.has(context.commandId)) return { alreadyApplied: true };
    decider.decide(await makeCommand(state, this.clock.now()), state);
    return { alreadyApplied: false };
  }

  private replay(earlier: AppliedCommand, context: CommandContext): ExecuteOutcome {
    if (earlier.requestHash !== this.masterKey.requestDigest(context.requestHash)) {
      throw new IdempotencyKeyReusedError();
    }
    return { revision: earlier.revision, position: earlier.position, appended: false };
  }

  /**
   * The stream as a decision needs it: the state kept from the last command on this stream (see
   * DecisionStateCache), brought up to date with the events appended since — usually none or one.
   */
  private async decisionState<S, C, E extends DomainEvent>(
    streamId: string,
    decider: Decider<C, E, S>,
  ): Promise<DecisionState<S>> {
    const now = Date.now();
    const cached = this.decisionStates.get<S>(streamId, now);
    const base = cached?.value ?? emptyDecisionState(decider);
    const newer = await this.store.readStream(
      streamId,
      base.revision >= 0 ? { fromRevision: base.revision + 1 } : {},
    );
    const next = foldDecisionState(base, newer, decider);
    this.decisionStates.set(streamId, next, cached?.loadedAt ?? now);
    return next;
  }

  /** Drops every kept decision state (after "forget this person", so none holds their details in clear). */
  forgetDecisionStates(): void {
    this.decisionStates.clear();
  }

  private metadataFor(context: CommandContext): EventMetadata {
    return {
      actor: context.actor,
      correlationId: context.correlationId,
      causationId: context.commandId,
      commandId: context.commandId,
      requestHash: this.masterKey.requestDigest(context.requestHash),
      ...(context.idempotencyKey ? { idempotencyKey: context.idempotencyKey } : {}),
    };
  }
}
