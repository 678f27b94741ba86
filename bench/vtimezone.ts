/**
 * An invitation's VTIMEZONE: built from the time-zone database (what every invitation paid before the
 * lines were kept, and what the first invitation of a zone and span of years still pays) against kept,
 * in turns in one process: µs per VTIMEZONE and the ratio.
 *
 *   npx tsx bench/vtimezone.ts [--zone Europe/Paris] [--builds 200] [--rounds 3]
 */
import { parseArgs } from 'node:util';
import { buildVTimezone } from '../libs/notifications/src/ical/vtimezone';

const { values } = parseArgs({
  options: {
    zone: { type: 'string', default: 'Europe/Paris' },
    builds: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
  },
});
const zone = values.zone;
const builds = Number(values.builds);
const rounds = Number(values.rounds);

/** µs per call of `make(i)` over `count` calls. */
function usPer(count: number, make: (i: number) => unknown): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) make(i);
  return Number(process.hrtime.bigint() - started) / 1000 / count;
}

let year = 1900;
for (let round = 1; round <= rounds; round++) {
  // A span of years not asked for before, every time: built.
  const built = usPer(builds, () => buildVTimezone(zone, [new Date(Date.UTC(year++, 5, 1))]));
  // The same meeting's span again and again: kept.
  const kept = usPer(builds * 100, () => buildVTimezone(zone, [new Date(Date.UTC(2026, 11, 2, 9))]));
  console.log(
    `round ${round}/${rounds} ${zone}: built ${built.toFixed(0)} µs, kept ${kept.toFixed(2)} µs (${(kept / built).toExponential(1)}×)`,
  );
}
