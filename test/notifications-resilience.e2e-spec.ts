import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createSqlClient } from '@passerelle/database';
import { UNKNOWN_OUTCOME } from '@passerelle/notifications';
import { PrivateRedis } from '@passerelle/notifications/testing/redis-server';
import { ReceivedMail, SmtpSink } from '@passerelle/notifications/testing/smtp-sink';
import {
  DAY,
  duplicates,
  MAIL_FROM,
  notificationIdOf,
  NotificationsApp,
  POSTGRES_URL,
  SHARED_REDIS,
  TEST_SECRET,
} from './notifications-support';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

const contacts = (count: number, country: 'US' | 'FR') =>
  Array.from({ length: count }, (_, i) => {
    const n = randomUUID().slice(0, 8);
    return {
      name: `Contact ${i} ${n}`,
      email: `c${i}-${n}@example.${country === 'US' ? 'org' : 'fr'}`,
      language: country === 'US' ? ('en' as const) : ('fr' as const),
    };
  });

/** Two parties with `perSide` contacts each, and two upcoming meetings inviting all of them: 4 × perSide e-mails. */
async function twoBigMeetings(
  ctx: NotificationsApp,
  perSide: number,
): Promise<{ partnershipId: string; expected: number }> {
  const { id, us, fr } = await ctx.newPartnership({
    us: { contacts: contacts(perSide, 'US') },
    fr: { contacts: contacts(perSide, 'FR') },
  });
  const attendees = [...us.contacts, ...fr.contacts].map((contact) => contact.email);
  for (const days of [10, 11]) {
    await ctx
      .as('officer')
      .post(`/api/partnerships/${id}/meetings`, { startsAt: inDays(days), attendees })
      .expect(201);
  }
  return { partnershipId: id, expected: 2 * attendees.length };
}

describe('Redis unavailable mid-run', () => {
  let redis: PrivateRedis;
  let smtp: SmtpSink;
  let ctx: NotificationsApp;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    smtp = await SmtpSink.start();
    ctx = await NotificationsApp.start({
      smtpUrl: smtp.url,
      redisUrl: redis.url,
      settings: { signatureRequestDelayMs: 1500 },
    });
  });
  afterAll(async () => {
    await ctx?.close();
    await smtp?.close();
    await redis?.down();
  });

  it('keeps accepting commands, reports delivery degraded, loses nothing and sends nothing twice', async () => {
    const { id, us, fr } = await ctx.newPartnership();
    await ctx.introduce(id, [us.contacts[0]!.email]);
    // Signature requests wait 1.5 s in Redis as delayed jobs…
    await ctx.draftAgreement(id, [us.id, fr.id]);
    const deadline = Date.now() + 10_000;
    while ((await ctx.queue.counts()).sends.delayed < 2 && Date.now() < deadline) await sleep(20);
    expect((await ctx.queue.counts()).sends.delayed).toBe(2);

    // …and Redis goes away, taking them with it (it comes back empty).
    await redis.down();
    await ctx
      .as('officer')
      .post(`/api/partnerships/${id}/meetings`, {
        startsAt: inDays(5),
        attendees: [us.contacts[0]!.email, fr.contacts[0]!.email],
      })
      .expect(201);
    const ready = await ctx.http().get('/health/ready').expect(200);
    expect(ready.body.details.eventStore.status).toBe('up');
    expect(ready.body.details.notifications).toMatchObject({
      status: 'up',
      delivery: 'degraded',
      redis: 'down',
    });
    await sleep(2000);
    expect(smtp.received).toEqual([]);
    const health = await ctx.runtime.health();
    expect(health.dispatcher.lastError).not.toBeNull();
    expect(await ctx.store.checkpoint()).toBeLessThan(await ctx.events.headPosition());

    await redis.up();
    await smtp.waitForCount(4, 30_000);
    await ctx.settle();
    await sleep(500);
    expect(smtp.received.map((mail) => mail.parsed.subject).sort()).toEqual([
      'Invitation : réunion d’introduction, Blue economy pilot',
      'Invitation: introduction meeting, Blue economy pilot',
      'Signature demandée : Cluster cooperation',
      'Signature requested: Cluster cooperation',
    ]);
    expect(duplicates(smtp.received)).toEqual([]);
    const after = await ctx.http().get('/health/ready').expect(200);
    expect(after.body.details.notifications).toMatchObject({ delivery: 'up', redis: 'up' });
  });
});

describe('Starting while Redis is down', () => {
  let redis: PrivateRedis;
  let smtp: SmtpSink;
  let ctx: NotificationsApp;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    await redis.down();
    smtp = await SmtpSink.start();
  });
  afterAll(async () => {
    await redis?.up();
    await ctx?.close();
    await smtp?.close();
    await redis?.down();
  });

  it('starts, serves and takes commands; e-mails follow once Redis is up', async () => {
    ctx = await NotificationsApp.start({ smtpUrl: smtp.url, redisUrl: redis.url });
    const { id, us } = await ctx.newPartnership();
    await ctx
      .as('officer')
      .post(`/api/partnerships/${id}/meetings`, { startsAt: inDays(4), attendees: [us.contacts[0]!.email] })
      .expect(201);
    const ready = await ctx.http().get('/health/ready').expect(200);
    expect(ready.body.details.notifications).toMatchObject({ delivery: 'degraded', redis: 'down' });
    await redis.up();
    await smtp.waitForCount(1, 30_000);
    await ctx.settle();
    expect(smtp.received.map((mail) => mail.parsed.subject)).toEqual([
      'Invitation: introduction meeting, Blue economy pilot',
    ]);
  });
});

describe('An SMTP server that refuses for a while', () => {
  let smtp: SmtpSink;
  let ctx: NotificationsApp;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    ctx = await NotificationsApp.start({ smtpUrl: smtp.url, settings: { attempts: 6, backoffMs: 100 } });
  });
  afterAll(async () => {
    await ctx?.close();
    await smtp?.close();
  });
  beforeEach(() => smtp.clear());

  it('retries with back-off until it accepts: everything delivered, nothing twice', async () => {
    const { id, us, fr } = await ctx.newPartnership();
    // 451 to the next four attempts, whichever message they are for.
    smtp.refuse(4);
    const refusedBefore = smtp.refused;
    await ctx
      .as('officer')
      .post(`/api/partnerships/${id}/meetings`, {
        startsAt: inDays(3),
        attendees: [us.contacts[0]!.email, fr.contacts[0]!.email],
      })
      .expect(201);
    await smtp.waitForCount(2, 20_000);
    await ctx.settle();
    expect(smtp.refused - refusedBefore).toBe(4);
    expect(smtp.received).toHaveLength(2);
    expect(duplicates(smtp.received)).toEqual([]);
    const records = await ctx.notifications(id);
    expect(records.map((n) => n.status)).toEqual(['sent', 'sent']);
    // Every attempt is counted: four refused, two accepted.
    expect(records.reduce((sum, n) => sum + n.attempts, 0)).toBe(6);
  });

  it('lists what keeps failing, and an admin sends it again once the server accepts', async () => {
    const { id, us } = await ctx.newPartnership();
    smtp.refuseFor(60_000);
    await ctx
      .as('officer')
      .post(`/api/partnerships/${id}/meetings`, { startsAt: inDays(3), attendees: [us.contacts[0]!.email] })
      .expect(201);
    await ctx.settle();
    const failed = await ctx.as('admin').get('/api/notifications/failed').expect(200);
    const item = (
      failed.body.items as { id: string; partnershipId: string; attempts: number; lastError: string }[]
    ).find((candidate) => candidate.partnershipId === id)!;
    expect(item.attempts).toBe(6);
    expect(item.lastError).toMatch(/451/);
    expect(smtp.received).toEqual([]);

    await ctx.as('officer').post(`/api/notifications/${item.id}/retry`).expect(403);
    smtp.refuseFor(0);
    const retried = await ctx.as('admin').post(`/api/notifications/${item.id}/retry`).expect(202);
    expect(retried.body).toMatchObject({ id: item.id, status: 'queued' });
    await smtp.waitForCount(1, 10_000);
    await ctx.settle();
    const again = await ctx.as('admin').post(`/api/notifications/${item.id}/retry`).expect(409);
    expect(again.body).toMatchObject({
      type: 'urn:passerelle:problem:notification.not_failed',
      notificationStatus: 'sent',
    });
    await ctx.as('admin').post(`/api/notifications/${randomUUID()}/retry`).expect(404);
    expect(smtp.received.map(notificationIdOf)).toEqual([item.id]);
    const list = await ctx.as('officer').get(`/api/notifications?partnershipId=${id}`).expect(200);
    expect(list.body.items[0]).toMatchObject({
      id: item.id,
      status: 'sent',
      messageId: `<${item.id}@passerelle.test>`,
    });
  });
});

describe('Dispatcher and worker stopped mid-stream and started again', () => {
  let smtp: SmtpSink;
  let ctx: NotificationsApp;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
  });
  afterAll(async () => {
    await ctx?.close();
    await smtp?.close();
  });

  it('delivers everything once across the restart', async () => {
    ctx = await NotificationsApp.start({ smtpUrl: smtp.url });
    smtp.delayMs = 60;
    const { expected } = await twoBigMeetings(ctx, 15);
    await smtp.waitForCount(10, 30_000);
    await ctx.stop();
    const beforeRestart = smtp.received.length;
    expect(beforeRestart).toBeLessThan(expected);

    ctx = await NotificationsApp.start({ smtpUrl: smtp.url, dataDir: ctx.dataDir });
    await smtp.waitForCount(expected, 60_000);
    await ctx.settle();
    await sleep(300);
    expect(smtp.received).toHaveLength(expected);
    expect(duplicates(smtp.received)).toEqual([]);
  });
});

describe('A worker process killed (SIGKILL) mid-stream and started again', () => {
  const schema = `notif_kill_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  let smtp: SmtpSink;
  let ctx: NotificationsApp;
  const workers: ChildProcess[] = [];

  /** `apps/worker` as deployed, run from its sources; resolves once it has started. */
  async function startWorker(): Promise<ChildProcess> {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'apps/worker/src/main.ts',
        '--lock-duration-ms=2000',
        '--sending-timeout-ms=2000',
        '--backoff-ms=100',
      ],
      {
        cwd: process.cwd(),
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          DATABASE_URL: POSTGRES_URL,
          DATABASE_SCHEMA: schema,
          DATA_KEY: ctx.config.dataKey,
          SIGNING_KEY: ctx.config.signingKey,
          JWT_SECRET: TEST_SECRET,
          DATA_DIR: ctx.dataDir,
          REDIS_URL: SHARED_REDIS,
          SMTP_URL: smtp.url,
          MAIL_FROM,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    workers.push(child);
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not start: ${output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('notification worker started')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`worker exited with ${code}: ${output}`));
      });
    });
    return child;
  }

  const stopped = (child: ChildProcess, signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    ctx = await NotificationsApp.start({
      smtpUrl: smtp.url,
      postgresSchema: schema,
      settings: { inProcess: false },
    });
  });
  afterAll(async () => {
    for (const child of workers) await stopped(child, 'SIGTERM');
    await ctx?.close();
    const admin = await createSqlClient({ databaseUrl: POSTGRES_URL, schema: 'public' });
    await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.close();
    await smtp?.close();
  });

  it('never sends a message twice; what was in flight is delivered once or listed as outcome unknown', async () => {
    smtp.delayMs = 80;
    const first = await startWorker();
    const { partnershipId, expected } = await twoBigMeetings(ctx, 15);
    await smtp.waitForCount(12, 60_000);
    await stopped(first, 'SIGKILL');
    const atKill = smtp.received.length;
    expect(atKill).toBeLessThan(expected);

    await startWorker();
    await ctx.settle(90_000);
    await sleep(500);

    const records = await ctx.notifications(partnershipId);
    expect(records).toHaveLength(expected);
    expect(duplicates(smtp.received)).toEqual([]);
    const received = new Map<string, ReceivedMail>(
      smtp.received.map((mail) => [notificationIdOf(mail), mail]),
    );
    const unknown = records.filter((n) => n.status === 'failed');
    for (const record of records) {
      if (record.status === 'sent') expect(received.has(record.id)).toBe(true);
      else expect(record).toMatchObject({ status: 'failed', lastError: UNKNOWN_OUTCOME });
    }
    // Only what was being handed to the server when the process died can be in doubt.
    expect(unknown.length).toBeLessThanOrEqual(ctx.settings.concurrency * 2);
    expect(records.filter((n) => n.status === 'sent').length + unknown.length).toBe(expected);
  });
});
