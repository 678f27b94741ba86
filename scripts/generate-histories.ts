/**
 * Generates import files for measuring and exploring the import: organisations (CSV) and partnership
 * histories (JSON Lines), every step dated in the past and in order. The same seed gives the same files.
 *
 *   npm run generate-histories -- --count=10000 --out=/tmp/histories [--seed=14]
 *
 * `IMPORT_SEED` overrides the default seed (14) to explore other files. Propose, draft-agreement and
 * withdraw lines carry their business date (`on`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const SECTORS = [
  'biotech_health',
  'blue_economy',
  'ict_digital',
  'aerospace',
  'mobility',
  'energy_cleantech',
];
const AXES = ['technology_transfer', 'business_development', 'investment', 'higher_education'];
const DAY = 86_400_000;

/** mulberry32: small, fast, and the same sequence for the same seed on every platform. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '10000' },
      out: { type: 'string', default: 'import-generated' },
      seed: { type: 'string' },
      organizations: { type: 'string', default: '200' },
    },
  });
  const count = Number(values.count);
  const orgCount = Number(values.organizations);
  const seed = Number(values.seed ?? process.env.IMPORT_SEED ?? 14);
  const random = rng(seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

  mkdirSync(values.out, { recursive: true });
  const csv = ['key,name,kind,country,region,sectors,contact_name,contact_email,contact_language'];
  const us: string[] = [];
  const fr: string[] = [];
  for (let i = 0; i < orgCount; i++) {
    const american = i % 2 === 0;
    const key = `gen-org-${i}`;
    (american ? us : fr).push(key);
    csv.push(
      [
        key,
        american ? `Generated iHub ${i}` : `Pôle généré ${i}`,
        american ? 'ihub' : 'pole',
        american ? 'US' : 'FR',
        american ? 'California' : 'Occitanie',
        pick(SECTORS),
        american ? 'Partnerships desk' : 'Bureau international',
        `desk-${i}@${american ? 'example.org' : 'example.fr'}`,
        american ? 'en' : 'fr',
      ].join(','),
    );
  }
  writeFileSync(join(values.out, 'organizations.csv'), `${csv.join('\n')}\n`);

  const lines: string[] = [];
  const emit = (value: object) => lines.push(JSON.stringify(value));
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const instant = (ms: number) =>
    new Date(Math.floor(ms / 3_600_000) * 3_600_000).toISOString().replace('.000Z', 'Z');
  const start = Date.UTC(2010, 0, 1);
  const end = Date.now() - 400 * DAY;
  for (let h = 0; h < count; h++) {
    const p = `gen-${seed}-${h}`;
    const a = pick(us);
    const b = pick(fr);
    const parties = [a, b];
    const sector = pick(SECTORS);
    let t = start + Math.floor(random() * (end - start));
    const on = (ms: number) => ({ on: day(ms) });
    emit({
      key: `${p}/propose`,
      command: 'propose',
      partnership: p,
      body: { title: `Partnership ${h}`, parties, sectors: [sector], axes: [pick(AXES)], ...on(t) },
    });
    t += int(5, 60) * DAY;
    const meetingId = `${p}/meeting`;
    emit({
      key: `${p}/meeting`,
      command: 'schedule-meeting',
      partnership: p,
      body: {
        meetingId,
        startsAt: instant(t),
        timezone: 'Europe/Paris',
        attendees: [`desk-${a.slice(8)}@example.org`],
      },
    });
    const interested = random() < 0.8;
    emit({
      key: `${p}/outcome`,
      command: 'record-outcome',
      partnership: p,
      meeting: meetingId,
      body: { heldAt: instant(t), outcome: interested ? 'interested' : 'not_interested' },
    });
    if (!interested) {
      t += int(1, 30) * DAY;
      emit({
        key: `${p}/withdraw`,
        command: 'withdraw',
        partnership: p,
        body: { reason: 'No common ground', ...on(t) },
      });
      continue;
    }
    if (random() < 0.2) continue;
    t += int(10, 90) * DAY;
    const agreementId = `${p}/agreement`;
    const termMonths = int(24, 60);
    emit({
      key: `${p}/agreement`,
      command: 'draft-agreement',
      partnership: p,
      body: { agreementId, title: `Cooperation agreement ${h}`, termMonths, signatories: parties, ...on(t) },
    });
    for (const [index, org] of parties.entries()) {
      t += int(1, 20) * DAY;
      emit({
        key: `${p}/sign-${index}`,
        command: 'sign-agreement',
        partnership: p,
        agreement: agreementId,
        body: { organizationId: org, signerName: `Signer ${index}`, signedAt: day(t) },
      });
    }
    if (random() < 0.3) continue;
    t += int(5, 120) * DAY;
    const projectId = `${p}/project`;
    emit({
      key: `${p}/project`,
      command: 'launch-project',
      partnership: p,
      body: {
        projectId,
        title: `Joint project ${h}`,
        startsOn: day(t),
        budget: { amount: int(10, 500) * 1000, currency: pick(['EUR', 'USD']) },
        fundingSources: ['Regional funds'],
        leads: [b],
        milestones: [{ milestoneId: `${p}/milestone`, title: 'Pilot delivered', dueOn: day(t + 180 * DAY) }],
      },
    });
    t += int(30, 200) * DAY;
    emit({
      key: `${p}/milestone`,
      command: 'reach-milestone',
      partnership: p,
      project: projectId,
      body: { milestoneId: `${p}/milestone`, reachedOn: day(t) },
    });
  }
  writeFileSync(join(values.out, 'histories.jsonl'), `${lines.join('\n')}\n`);
  console.log(
    `${orgCount} organisations and ${count} histories (${lines.length} commands, seed ${seed}) in ${values.out}`,
  );
}

main();
