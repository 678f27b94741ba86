/** A command: what someone asks for, with the facts the decision needs (time, other aggregates) in its metadata. */
export type Command<Type extends string, Data, Metadata> = {
  readonly type: Type;
  readonly data: Data;
  readonly metadata: Metadata;
};

/** A domain event: what happened, in the past tense. The store's envelope adds id, version and metadata. */
export type DomainEvent<Type extends string, Data> = {
  readonly type: Type;
  readonly data: Data;
};

/**
 * An aggregate as two pure functions and a starting point: the shape of emmett's `Decider`, with the type
 * parameters in another order (`<Command, Event, State>` here, `<State, Command, Event>` in emmett).
 */
export type Decider<C, E, S> = {
  decide: (command: C, state: S) => E[];
  evolve: (state: S, event: E) => S;
  initialState: () => S;
};

/** Folds events into the state they lead to. */
export const fold = <C, E, S>(decider: Decider<C, E, S>, events: readonly E[]): S =>
  events.reduce(decider.evolve, decider.initialState());

/** Makes the compiler check that a switch handled every case. */
export const assertNever = (value: never, what: string): never => {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
};

/** In evolve, an event type this code does not know leaves the state as it is. */
export const ignoreUnknown = (_value: never): void => undefined;
