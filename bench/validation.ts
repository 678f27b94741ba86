/**
 * Validation alone: the ValidationPipe (class-validator and class-transformer) against the form compiled
 * from the same DTO decorators (decision 27), on the bodies the command benchmark sends and a nested one,
 * in turns in one process: ns per body and the ratio.
 *
 *   npx tsx bench/validation.ts [--iterations 20000] [--rounds 3]
 */
import { parseArgs } from 'node:util';
import { compileWithDecoratorMetadata } from './lib/decorator-metadata';

compileWithDecoratorMetadata();

const { values } = parseArgs({
  options: { iterations: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' } },
});
const iterations = Number(values.iterations);
const rounds = Number(values.rounds);

interface Pipe {
  transform(value: unknown, metadata: { type: 'body'; metatype: new () => object }): unknown;
}

async function nsPerBody(pipe: Pipe, metatype: new () => object, text: string): Promise<number> {
  const bodies = Array.from({ length: iterations }, () => JSON.parse(text) as unknown);
  const started = process.hrtime.bigint();
  for (const body of bodies) await pipe.transform(body, { type: 'body', metatype });
  return Number(process.hrtime.bigint() - started) / iterations;
}

async function main(): Promise<void> {
  const { classValidatorPipe, validationPipe } = await import('../apps/api/src/http/validation');
  const dtos = await import('../apps/api/src/partnerships/partnership.dto');
  const uuid = () => crypto.randomUUID();
  const cases: [string, new () => object, unknown][] = [
    [
      'ScheduleMeetingDto',
      dtos.ScheduleMeetingDto,
      {
        startsAt: '2026-12-02T17:00:00Z',
        endsAt: '2026-12-02T18:00:00Z',
        location: 'Marseille',
        attendees: ['partnerships@example.org'],
      },
    ],
    ['ReasonDto', dtos.ReasonDto, { reason: 'Funding cycle postponed' }],
    ['ResumeDto', dtos.ResumeDto, {}],
    [
      'ProposePartnershipDto',
      dtos.ProposePartnershipDto,
      {
        title: 'Blue economy',
        parties: [uuid(), uuid()],
        sectors: ['blue_economy'],
        axes: ['higher_education'],
      },
    ],
    [
      'LaunchProjectDto',
      dtos.LaunchProjectDto,
      {
        title: 'Harbour sensors',
        startsOn: '2027-03-01',
        budget: { amount: 250000, currency: 'EUR' },
        fundingSources: ['Région Sud'],
        leads: [uuid()],
        milestones: [
          { title: 'Pilot', dueOn: '2027-06-30' },
          { title: 'Roll-out', dueOn: '2027-12-31' },
        ],
      },
    ],
  ];
  for (const [name, metatype, body] of cases) {
    const text = JSON.stringify(body);
    // Both must accept it, or the figure measures a refusal.
    await classValidatorPipe.transform(JSON.parse(text), { type: 'body', metatype });
    await validationPipe.transform(JSON.parse(text), { type: 'body', metatype });
    const before: number[] = [];
    const after: number[] = [];
    for (let round = 0; round < rounds; round++) {
      before.push(await nsPerBody(classValidatorPipe, metatype, text));
      after.push(await nsPerBody(validationPipe, metatype, text));
    }
    const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
    console.log(
      `${name.padEnd(24)} class-validator ${median(before).toFixed(0).padStart(7)} ns  ` +
        `compiled ${median(after).toFixed(0).padStart(6)} ns  ratio ${(median(before) / median(after)).toFixed(1)}x`,
    );
  }
}

void main();
