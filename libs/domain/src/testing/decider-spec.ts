import { Decider, fold } from '../shared/decider';
import { DomainError, DomainErrorCode } from '../shared/errors';

/**
 * Given/when/then for deciders, after emmett's DeciderSpecification:
 * `given(events).when(command).then(events)`, `.thenNothingHappened()` or `.thenThrows(code)`.
 */
export const DeciderSpecification = {
  for:
    <C, E, S>(decider: Decider<C, E, S>) =>
    (givenEvents: E[]) => ({
      when: (command: C) => {
        const decide = (): E[] => decider.decide(command, fold(decider, givenEvents));
        return {
          then: (expected: E[]): void => {
            const events = decide();
            expect(events).toStrictEqual(expected);
            // Events go to a JSON store: what is decided must survive the round trip unchanged.
            expect(JSON.parse(JSON.stringify(events))).toStrictEqual(events);
          },
          thenNothingHappened: (): void => {
            expect(decide()).toStrictEqual([]);
          },
          thenThrows: (code: DomainErrorCode, details?: Record<string, unknown>): DomainError => {
            let thrown: unknown;
            try {
              decide();
            } catch (error) {
              thrown = error;
            }
            expect(thrown).toBeInstanceOf(DomainError);
            const error = thrown as DomainError;
            expect(error.code).toBe(code);
            if (details) expect(error.details).toMatchObject(details);
            return error;
          },
        };
      },
    }),
};
