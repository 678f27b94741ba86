import fc from 'fast-check';
import type { Step } from './world';

/** Few partnerships, so that commands pile up on the same ones and get them far along. */
const p = fc.nat(3);
const index = fc.nat(5);

/** Any user action on the world, in proportions that let partnerships get far along the lifecycle. */
export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 14, arbitrary: fc.record({ kind: fc.constant('advance' as const), p }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('propose' as const), extraParties: fc.nat(3) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('schedule' as const),
      p,
      daysAhead: fc.integer({ min: -3, max: 5 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('reschedule' as const),
      p,
      m: index,
      daysAhead: fc.integer({ min: -2, max: 10 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), p, m: index }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('hold' as const),
      p,
      m: index,
      outcome: fc.constantFrom(
        'interested' as const,
        'interested' as const,
        'follow_up' as const,
        'not_interested' as const,
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('draftAgreement' as const),
      p,
      termMonths: fc.integer({ min: 1, max: 36 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('amendAgreement' as const), p, a: index }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('signAgreement' as const), p, a: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expireAgreement' as const), p, a: index }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('launchProject' as const),
      p,
      amount: fc.integer({ min: 1000, max: 900_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reachMilestone' as const), p, j: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('completeProject' as const), p, j: index }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('draftMou' as const), p }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('signMou' as const), p, u: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('suspend' as const), p }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resume' as const), p }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), p }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('tick' as const), days: fc.integer({ min: 1, max: 400 }) }),
  },
);
