import { Inject, Injectable } from '@nestjs/common';
import { Decider, DomainEvent, upcast } from '@passerelle/domain';
import { EVENT_STORE, EventStore, RecordedEvent } from '@passerelle/event-store';

/** A stream folded by its decider's `evolve`. */
export interface Folded<State> {
  state: State;
  /** -1 when the stream does not exist (or has no event within the bound). */
  revision: number;
  events: RecordedEvent[];
}

/** How much of a stream to fold: up to a revision, or the events recorded up to an instant. */
export interface StreamBound {
  toRevision?: number;
  asOf?: Date;
}

/**
 * Reads a stream and folds it (emmett's `aggregateStream`): the `GET …/state` routes, an organisation's
 * facts. Personal fields are opened (or "[erased]"); nothing is decided or appended here.
 */
@Injectable()
export class AggregateStreams {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /**
   * The stream's events from `fromRevision` on, personal fields opened (or "[erased]"); empty when it
   * does not exist (or has none from there).
   */
  read(streamId: string, fromRevision = 0): Promise<RecordedEvent[]> {
    return this.store.readStream(streamId, fromRevision === 0 ? {} : { fromRevision });
  }

  async load<S, C, E extends DomainEvent<string, unknown>>(
    streamId: string,
    decider: Decider<C, E, S>,
    bound: StreamBound = {},
  ): Promise<Folded<S>> {
    const recorded = await this.store.readStream(
      streamId,
      bound.toRevision === undefined ? {} : { toRevision: bound.toRevision },
    );
    const events = bound.asOf
      ? recorded.filter((e) => e.recordedAt.getTime() <= bound.asOf!.getTime())
      : recorded;
    let state = decider.initialState();
    for (const event of events) state = decider.evolve(state, upcast(event) as unknown as E);
    return { state, revision: events.length ? events[events.length - 1]!.revision : -1, events };
  }
}
