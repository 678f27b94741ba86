import { createSqlClient, type SqlClient } from '@passerelle/database';
import { ERASED } from '@passerelle/domain';
import { SmtpSink } from '@passerelle/notifications/testing/smtp-sink';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { SQL_CLIENT } from '@passerelle/application';
import { DAY, NotificationsApp, POSTGRES_URL } from './notifications-support';

const run = promisify(execFile);

/** `pg_dump` of the test's schema, as an operator's backup would hold it: every table, in plain text. */
async function pgDump(schema: string): Promise<string> {
  const { stdout } = await run(
    'pg_dump',
    ['--no-owner', '-h', '127.0.0.1', '-U', 'postgres', '-n', schema, 'test'],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout;
}

/** PGlite's equivalent: every row of every table of the schema, as text. */
async function rowsAsText(client: SqlClient): Promise<string> {
  const tables = await client.query<{ name: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
      WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1`,
    [client.schema],
  );
  const parts: string[] = [];
  for (const { name } of tables) {
    const rows = await client.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`);
    parts.push(`-- ${name}`, ...rows.map((r) => r.row));
  }
  return parts.join('\n');
}

/** The lines of a dump that hold any of the given texts (case-insensitive), shortened: what is left in clear. */
function leftInClear(text: string, gone: readonly string[]): string[] {
  const wanted = gone.map((value) => value.toLowerCase());
  return text
    .split('\n')
    .filter((line) => wanted.some((value) => line.toLowerCase().includes(value)))
    .map((line) => line.slice(0, 160));
}

describe.each([
  ['PGlite', false],
  ['PostgreSQL', true],
])('forgetting a person leaves no window (%s)', (_label, postgres) => {
  const tag = randomUUID().slice(0, 8);
  const schema = `e2e_erasure_${tag}`;
  const bruno = { name: `Bruno Martin ${tag}`, email: `bruno.${tag}@polemer.example.fr` };
  const alice = { name: `Alice Walker ${tag}`, email: `alice.${tag}@ihub.example.org` };
  const signers = { us: `Walker Alice ${tag}`, fr: `Claire Durand ${tag}` };
  const title = `Ocean data ${tag}`;
  let smtp: SmtpSink;
  let ctx: NotificationsApp;
  let partnershipId: string;
  let futureMeetingId: string;
  let frName: string;

  /** Everything the database holds, as a backup would: pg_dump on PostgreSQL, every row on PGlite. */
  const dump = async () => (postgres ? pgDump(schema) : rowsAsText(ctx.app.get<SqlClient>(SQL_CLIENT)));
  const verify = async () => {
    const { body } = await ctx.as('auditor').get('/api/audit/verify').expect(200);
    return { ok: body.ok as boolean, problems: body.problems as unknown[] };
  };
  const detail = async (minPosition = 0) =>
    (await ctx.as('viewer').get(`/api/partnerships/${partnershipId}?minPosition=${minPosition}`).expect(200))
      .body;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    ctx = await NotificationsApp.start({
      smtpUrl: smtp.url,
      ...(postgres ? { postgresSchema: schema } : {}),
    });
    const us = await ctx.newOrganization({ country: 'US', contacts: [{ ...alice, language: 'en' }] });
    const fr = await ctx.newOrganization({
      country: 'FR',
      contacts: [{ ...bruno, language: 'fr', role: 'Director' }],
    });
    frName = fr.name;
    const officer = ctx.as('officer');
    const proposed = await officer
      .post('/api/partnerships', {
        // Proposed before the meeting held last week (a business date: history entered after the fact).
        on: new Date(Date.now() - 14 * DAY).toISOString().slice(0, 10),
        title,
        parties: [us.id, fr.id],
        sectors: ['blue_economy'],
        axes: ['technology_transfer'],
      })
      .expect(201);
    partnershipId = proposed.body.id;
    // A meeting held last week, with Bruno present; one to come, to which both are invited by e-mail.
    const heldAt = new Date(Date.now() - 7 * DAY).toISOString();
    const held = await officer
      .post(`/api/partnerships/${partnershipId}/meetings`, {
        startsAt: heldAt,
        attendees: [alice.email, bruno.email],
      })
      .expect(201);
    await officer
      .post(`/api/partnerships/${partnershipId}/meetings/${held.body.meetingId}/outcome`, {
        heldAt,
        outcome: 'interested',
        attendeesPresent: [bruno.email],
      })
      .expect(200);
    const future = await officer
      .post(`/api/partnerships/${partnershipId}/meetings`, {
        startsAt: new Date(Date.now() + 30 * DAY).toISOString(),
        attendees: [alice.email, bruno.email],
      })
      .expect(201);
    futureMeetingId = future.body.meetingId;
    const agreement = await officer
      .post(`/api/partnerships/${partnershipId}/agreements`, {
        title: 'Cluster agreement',
        termMonths: 24,
        signatories: [us.id, fr.id],
      })
      .expect(201);
    let position = 0;
    for (const [organizationId, signerName] of [
      [us.id, signers.us],
      [fr.id, signers.fr],
    ] as const) {
      const signed = await officer
        .post(`/api/partnerships/${partnershipId}/agreements/${agreement.body.agreementId}/signatures`, {
          organizationId,
          signerName,
        })
        .expect(200);
      position = signed.body.position;
    }
    await ctx.settle();
    await detail(position);
  });
  afterAll(async () => {
    await ctx?.close();
    if (postgres) {
      const admin = await createSqlClient({ databaseUrl: POSTGRES_URL, schema: 'public' });
      await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await admin.close();
    }
    await smtp?.close();
  });

  it('reads the person in clear through the API while they are known, and verifies clean', async () => {
    // He was written to (the invitation to the meeting to come, the agreement): his address was in use.
    expect(smtp.to(bruno.email).length).toBeGreaterThan(0);
    const partnership = await detail();
    const attendees = partnership.meetings.flatMap((m: { attendees: { email: string }[] }) => m.attendees);
    expect(attendees).toContainEqual(expect.objectContaining({ email: bruno.email, name: bruno.name }));
    expect(partnership.agreements[0].signatures.map((s: { signerName: string }) => s.signerName)).toEqual([
      signers.us,
      signers.fr,
    ]);
    const notifications = await ctx
      .as('officer')
      .get(`/api/notifications?partnershipId=${partnershipId}`)
      .expect(200);
    expect(JSON.stringify(notifications.body)).toContain(bruno.email);
    expect(await verify()).toEqual({ ok: true, problems: [] });
    // The dump holds the data (what is not personal is there in clear), never the people: only a
    // reader through the API sees them, opened with their keys.
    const text = await dump();
    expect(leftInClear(text, [bruno.email, bruno.name, alice.email, alice.name, signers.fr])).toEqual([]);
    expect(text).toContain(title);
    expect(text).toContain(frName);
    expect(text).toMatch(/pii:v1:[0-9a-f-]{36}:/);
  });

  it('once forget has answered, no table holds their address or name, and verification is clean', async () => {
    await ctx.as('admin').post('/api/people/forget', { email: bruno.email }).expect(200);
    await ctx.as('admin').post('/api/people/forget', { signerName: signers.fr }).expect(200);
    // No wait of any kind: right after the answers.
    const text = await dump();
    expect(leftInClear(text, [bruno.email, bruno.name, signers.fr])).toEqual([]);
    expect(text).toContain(title);
    expect(await verify()).toEqual({ ok: true, problems: [] });

    // The read models read as erased at once, without a rebuild.
    const partnership = await detail();
    const attendees = partnership.meetings.flatMap((m: { attendees: { email: string }[] }) => m.attendees);
    expect(attendees).toContainEqual(expect.objectContaining({ email: ERASED, name: ERASED }));
    expect(attendees).toContainEqual(expect.objectContaining({ email: alice.email, name: alice.name }));
    expect(partnership.agreements[0].signatures.map((s: { signerName: string }) => s.signerName)).toEqual([
      signers.us,
      ERASED,
    ]);
    const notifications = await ctx
      .as('officer')
      .get(`/api/notifications?partnershipId=${partnershipId}`)
      .expect(200);
    expect(JSON.stringify(notifications.body)).not.toContain(bruno.email);
    expect(JSON.stringify(notifications.body)).toContain(alice.email);
  });

  it('sends nothing more to the address, and stays clean afterwards', async () => {
    smtp.clear();
    await ctx
      .as('officer')
      .post(`/api/partnerships/${partnershipId}/meetings/${futureMeetingId}/reschedule`, {
        startsAt: new Date(Date.now() + 31 * DAY).toISOString(),
      })
      .expect(200);
    await ctx.settle();
    expect(smtp.received.flatMap((mail) => mail.envelopeTo)).toEqual([alice.email]);
    expect(leftInClear(await dump(), [bruno.email, bruno.name, signers.fr])).toEqual([]);
    expect(await verify()).toEqual({ ok: true, problems: [] });
  });
});
