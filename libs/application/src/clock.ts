export const CLOCK = Symbol('CLOCK');

/** Time comes in from here, so tests can pin it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
