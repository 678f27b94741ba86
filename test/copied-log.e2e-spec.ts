import { createSqlClient } from '@passerelle/database';
import { NOTIFICATION_STORE, timerIdFor, type NotificationStore } from '@passerelle/notifications';
import { READ_MODEL_PROJECTIONS } from '@passerelle/read-models';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { POSTGRES_URL, TestApp } from './support/test-app';
import { waitUntil } from './support/wait-until';

const DAY = 86_400_000;
const run = promisify(execFile);

/**
 * `npm run copy-log` into a new embedded store (decision 0025, a copied log): the target starts with its read models
 * already built and its e-mail dispatcher at the copied head. Nothing of the copied history is planned
 * again (the source sent what was news), but a meeting still to come keeps its reminder.
 */
describe('a log copied into a new embedded store', () => {
  let source: TestApp;
  let target: TestApp | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-copied-'));

  beforeAll(async () => {
    // The source: PostgreSQL, commands only (what it sent is not this test's business).
    source = await TestApp.start({ postgres: true, env: { IN_PROCESS: 'none' } });
  });

  afterAll(async () => {
    await target?.close();
    await source?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts with its read models built and plans no e-mail of its past, but the reminder of a meeting to come', async () => {
    const { id, us, fr } = await source.newPartnership();
    const attendees = [us.contacts[0]!.email, fr.contacts[0]!.email];
    const past = await source
      .as('officer')
      .post(`/api/partnerships/${id}/meetings`, { startsAt: '2016-02-01T17:00:00.000Z', attendees })
      .expect(201);
    // Scheduled just now, three days ahead: news in the source (its invitations), a reminder due in two days.
    const startsAt = new Date(Date.now() + 3 * DAY).toISOString();
    const upcoming = await source
      .as('officer')
      .post(`/api/partnerships/${id}/meetings`, { startsAt, attendees })
      .expect(201);
    // The copy reads what every reader may see: wait until the last command's events are settled (a
    // transaction still open elsewhere on the server holds the settled head back for a moment).
    const head = upcoming.body.position as number;
    await waitUntil(async () => (await source.store.headPosition()) >= head);

    const { stdout } = await run(
      'npx',
      [
        'tsx',
        'scripts/copy-log.ts',
        '--from',
        POSTGRES_URL,
        '--from-schema',
        source.config.databaseSchema,
        '--to',
        `pglite:${join(dataDir, 'pglite')}`,
        '--checkpoint',
        join(dataDir, 'copy-checkpoint.json'),
      ],
      { cwd: join(__dirname, '..'), timeout: 240_000 },
    );
    expect(stdout).toContain('Preparing the target for its first start');

    // Before the service starts: every read model and the dispatcher stand at the copied head.
    const client = await createSqlClient({ dataDir: join(dataDir, 'pglite'), schema: 'public' });
    try {
      const rows = await client.query<{ name: string; position: number }>(
        'SELECT name, position::int AS position FROM processor_checkpoints ORDER BY name',
      );
      const positions = Object.fromEntries(rows.map((row) => [row.name, row.position]));
      for (const { name } of READ_MODEL_PROJECTIONS) expect(positions[name]).toBe(head);
      expect(positions['notification_dispatcher']).toBe(head);
      const [{ count }] = await client.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM notifications',
      );
      expect(count).toBe(0);
      const timers = await client.query<{ id: string; due_at: Date }>(
        'SELECT id, due_at FROM notification_timers',
      );
      expect(timers.map((timer) => timer.id)).toEqual([
        timerIdFor('meeting_reminder', upcoming.body.meetingId, 0),
      ]);
      expect(new Date(timers[0]!.due_at).getTime()).toBe(Date.parse(startsAt) - DAY);
    } finally {
      await client.close();
    }

    target = await TestApp.start({
      env: {
        DATA_DIR: dataDir,
        DATA_KEY: source.config.dataKey!,
        SIGNING_KEY: source.config.signingKey!,
      },
    });
    const read = await target.as('viewer').get(`/api/partnerships/${id}?minPosition=${head}`).expect(200);
    expect(read.body.meetings).toHaveLength(2);

    // A meeting scheduled in the target is planned as news: once its invitations are recorded the
    // dispatcher has gone past the copied head, and it has planned nothing for the copied meetings.
    const added = await target
      .as('officer')
      .post(`/api/partnerships/${id}/meetings`, {
        startsAt: new Date(Date.now() + 5 * DAY).toISOString(),
        attendees,
      })
      .expect(201);
    const mail = target.app.get<NotificationStore>(NOTIFICATION_STORE, { strict: false });
    const deadline = Date.now() + 60_000;
    let planned = await mail.list({ partnershipId: id, limit: 100, offset: 0 });
    while (planned.length < 2) {
      if (Date.now() > deadline) throw new Error(`invitations not planned: ${JSON.stringify(planned)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      planned = await mail.list({ partnershipId: id, limit: 100, offset: 0 });
    }
    expect(planned.map((notification) => [notification.template, notification.subjectId])).toEqual([
      ['meeting.invitation', added.body.meetingId],
      ['meeting.invitation', added.body.meetingId],
    ]);
    expect(await mail.timer(timerIdFor('meeting_reminder', upcoming.body.meetingId, 0))).toMatchObject({
      status: 'pending',
    });
    expect(await mail.timer(timerIdFor('meeting_reminder', past.body.meetingId, 0))).toBeNull();
  });
});
