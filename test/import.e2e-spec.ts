import { DemoLoader, demoSources } from '../apps/api/src/demo/demo-loader';
import { importIdFor } from '../apps/api/src/import/import-commands';
import { Importer } from '../apps/api/src/import/importer';
import type { ImportSource } from '../apps/api/src/import/import-lines';
import { TestApp } from './support/test-app';

const commandLines = (sources: ImportSource[]) =>
  sources.reduce(
    (count, source) =>
      count +
      source.text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#')).length -
      (source.format === 'csv' ? 1 : 0),
    0,
  );

describe('Import: the demo, loaded through the import on an empty embedded store', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await TestApp.start();
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('accepts every line, at its real dates, and history sends nothing', async () => {
    const report = await ctx.app.get(DemoLoader).load();
    expect(report.refusals).toEqual([]);
    expect(report.read).toBe(commandLines(demoSources()));
    expect(report.accepted).toBe(report.read);
    expect(report.alreadyThere).toBe(0);
    // 2016 meetings, the blue-economy agreement and memorandum notices, the 2017 project: all history.
    expect(report.withheld.messages).toBeGreaterThan(10);

    const blue = importIdFor('partnership', 'blue-economy');
    const state = await ctx.as('auditor').get(`/api/partnerships/${blue}/state`).expect(200);
    expect(state.body.stage).toBe('mou_signed');
    const signedOn = state.body.agreements[0].signatures.map((s: { signedAt: string }) =>
      s.signedAt.slice(0, 10),
    );
    expect(signedOn).toEqual(['2016-12-20', '2017-01-05']);
    const xr = await ctx
      .as('auditor')
      .get(`/api/partnerships/${importIdFor('partnership', 'digital-media')}/state`);
    const upcoming = xr.body.meetings.find((m: { status: string }) => m.status === 'scheduled');
    expect(Date.parse(upcoming.startsAt)).toBeGreaterThan(Date.now());
  });

  it('run again, appends nothing and says every line is already there', async () => {
    const before = await ctx.eventCount();
    const report = await ctx.app.get(DemoLoader).load();
    expect(report).toMatchObject({ accepted: 0, refused: 0, alreadyThere: report.read });
    expect(await ctx.eventCount()).toBe(before);
  });
});

const ORGANIZATIONS_CSV = `key,name,kind,country,region,sectors,website,contact_name,contact_email,contact_role,contact_language
ihub-a,iHub Alpha,ihub,US,California,ict_digital,https://ihub-a.example.org,Desk,desk@ihub-a.example.org,,en
pole-b,"Pôle Bêta, Méditerranée",pole,FR,Provence-Alpes-Côte d'Azur,blue_economy;biotech_health,,Bureau,bureau@pole-b.example.fr,International,fr
bad-kind,Nowhere Hub,galaxy,US,California,ict_digital,,Desk,desk@nowhere.example.org,,en
bad-email,Pôle Gamma,pole,FR,Normandie,ict_digital,,Bureau,not-an-address,,fr
`;

const line = (value: object) => JSON.stringify(value);
const HISTORIES_JSONL = [
  line({
    key: 'h/propose',
    command: 'propose',
    partnership: 'p1',
    body: {
      on: '2016-02-15',
      title: 'Pilot',
      parties: ['ihub-a', 'pole-b'],
      sectors: ['ict_digital'],
      axes: ['investment'],
    },
  }),
  '{"key": "h/broken", "command": "propose",',
  line({ key: 'h/unknown', command: 'sing-agreement', partnership: 'p1', body: {} }),
  line({
    key: 'h/project-without-agreement',
    command: 'launch-project',
    partnership: 'p1',
    body: {
      title: 'Too early',
      startsOn: '2016-04-01',
      budget: { amount: 1000, currency: 'EUR' },
      fundingSources: ['Région Sud'],
      leads: ['pole-b'],
      milestones: [],
    },
  }),
  line({
    key: 'h/meeting',
    command: 'schedule-meeting',
    partnership: 'p1',
    body: {
      meetingId: 'm1',
      startsAt: '2016-03-02T17:00:00Z',
      timezone: 'America/Los_Angeles',
      attendees: ['desk@ihub-a.example.org'],
    },
  }),
  line({
    key: 'h/outcome',
    command: 'record-outcome',
    partnership: 'p1',
    meeting: 'm1',
    body: { heldAt: '2016-03-02T17:00:00Z', outcome: 'interested' },
  }),
  line({
    key: 'h/no-title',
    command: 'draft-agreement',
    partnership: 'p1',
    body: { termMonths: 12, signatories: ['ihub-a', 'pole-b'] },
  }),
  line({
    key: 'h/unknown-party',
    command: 'propose',
    partnership: 'p2',
    body: { title: 'Ghost', parties: ['ihub-a', 'nobody'], sectors: ['ict_digital'], axes: ['investment'] },
  }),
  line({
    key: 'h/unknown-field',
    command: 'suspend',
    partnership: 'p1',
    body: { reason: 'x', colour: 'red' },
  }),
].join('\n');

const sources: ImportSource[] = [
  { name: 'orgs.csv', format: 'csv', text: ORGANIZATIONS_CSV },
  { name: 'histories.jsonl', format: 'jsonl', text: HISTORIES_JSONL },
];

const EXPECTED_REFUSALS = [
  { file: 'orgs.csv', line: 4, type: 'urn:passerelle:problem:validation' },
  { file: 'orgs.csv', line: 5, type: 'urn:passerelle:problem:validation' },
  { file: 'histories.jsonl', line: 2, type: 'import.unreadable_line' },
  { file: 'histories.jsonl', line: 3, type: 'import.unreadable_line' },
  { file: 'histories.jsonl', line: 4, type: 'urn:passerelle:problem:project.no_executed_agreement' },
  { file: 'histories.jsonl', line: 7, type: 'urn:passerelle:problem:validation' },
  { file: 'histories.jsonl', line: 8, type: 'urn:passerelle:problem:organization.not_found' },
  { file: 'histories.jsonl', line: 9, type: 'urn:passerelle:problem:validation' },
];

describe('Import: a dry run on files with deliberate errors', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await TestApp.start();
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('names each bad line with its problem and changes nothing', async () => {
    const before = await ctx.eventCount();
    const report = await ctx.app.get(Importer).run(sources, { dryRun: true });
    expect(report.refusals.map(({ file, line, type }) => ({ file, line, type }))).toEqual(EXPECTED_REFUSALS);
    expect(report.refusals.find((r) => r.line === 4 && r.file === 'orgs.csv')!.detail).toMatch(/kind/);
    expect(report).toMatchObject({ dryRun: true, read: 13, accepted: 5, alreadyThere: 0, refused: 8 });
    expect(report.events).toBeGreaterThan(0);
    expect(await ctx.eventCount()).toBe(before);
    await ctx
      .as('auditor')
      .get(`/api/organizations/${importIdFor('organization', 'ihub-a')}`)
      .expect(404);
  });

  it('then imported for real, refuses the same lines, and a second run appends nothing', async () => {
    const first = await ctx.app.get(Importer).run(sources);
    expect(first.refusals.map(({ file, line, type }) => ({ file, line, type }))).toEqual(EXPECTED_REFUSALS);
    expect(first).toMatchObject({ accepted: 5, refused: 8 });
    // The 2016 meeting is history: its invitation is withheld.
    expect(first.withheld.messages).toBe(1);
    const after = await ctx.eventCount();

    const second = await ctx.app.get(Importer).run(sources);
    expect(second).toMatchObject({ accepted: 0, alreadyThere: 5, refused: 8 });
    expect(await ctx.eventCount()).toBe(after);

    const state = await ctx.as('auditor').get(`/api/partnerships/${importIdFor('partnership', 'p1')}/state`);
    expect(state.body.stage).toBe('introduced');
  });

  it('refuses a line changed since it was imported, rather than recording it twice', async () => {
    const edited = sources.map((source) =>
      source.format === 'csv'
        ? { ...source, text: source.text.replace('https://ihub-a', 'https://www.ihub-a') }
        : source,
    );
    const report = await ctx.app.get(Importer).run(edited, { dryRun: true });
    const changed = report.refusals.find((r) => r.file === 'orgs.csv' && r.line === 2);
    expect(changed).toMatchObject({ status: 422, type: 'urn:passerelle:problem:idempotency_key_reused' });
  });
});
