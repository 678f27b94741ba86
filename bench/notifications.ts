/**
 * E-mails per second through the whole notification pipeline: commands → log → dispatcher (checkpointed
 * subscription) → BullMQ on Redis → worker (reload, render, SMTP, SQL record, NotificationSent) → an SMTP
 * server in this process that only counts.
 *
 *   npx tsx bench/notifications.ts [--meetings 40] [--contacts 25] [--concurrency 8] [--pglite]
 *
 * Each meeting invites every contact of both parties: meetings × 2 × contacts e-mails. PostgreSQL at
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) in a schema of its own, dropped at the
 * end; --pglite for the embedded store in a temporary directory. Redis at REDIS_URL (default local).
 * `npm run bench` runs the same measurement (measureNotifications) for its `notifications` figure.
 */
import 'reflect-metadata';
import { loadConfig } from '@passerelle/config';
import { createSqlClient } from '@passerelle/database';
import {
  BullmqNotificationQueue,
  NOTIFICATION_QUEUE,
  type NotificationSettings,
} from '@passerelle/notifications';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { CommandContext } from '@passerelle/application';
import { compileWithDecoratorMetadata } from './lib/decorator-metadata';
import { SmtpCounter } from './lib/smtp-counter';

export interface NotificationsOptions {
  meetings: number;
  /** Contacts per party: each meeting invites both parties' contacts. */
  contacts: number;
  /** The embedded store in a temporary directory instead of PostgreSQL. */
  pglite: boolean;
  databaseUrl: string;
  redisUrl?: string;
  log?: (line: string) => void;
}

export interface NotificationsResult {
  expected: number;
  commandsMs: number;
  /** From the first command to the first and to the last e-mail. */
  firstMs: number;
  lastMs: number;
  /** E-mails per second from the first command to the last e-mail. */
  rate: number;
  /** E-mails per second from the first e-mail to the last. */
  steady: number;
}

const context = (): CommandContext => ({
  actor: { sub: 'bench', roles: ['officer'] },
  commandId: randomUUID(),
  requestHash: randomUUID(),
  correlationId: randomUUID(),
});

export async function measureNotifications(options: NotificationsOptions): Promise<NotificationsResult> {
  const { meetings, databaseUrl } = options;
  const contactsPerParty = options.contacts;
  const log = options.log ?? ((line: string) => console.log(line));
  // Nest needs constructor metadata that tsx does not emit: the application is compiled as the tests do.
  compileWithDecoratorMetadata();
  const { createApp, initApp } = await import('../apps/api/src/bootstrap');
  const { MeasuredCommandBus, PartnershipCommand, RegisterOrganizationCommand } =
    await import('@passerelle/application');
  const smtp = await SmtpCounter.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-bench-mail-'));
  const schema = `bench_mail_${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    DATA_DIR: dataDir,
    JWT_SECRET: 'bench-secret-that-is-long-enough-0123456789',
    DEMO_DATA: 'false',
    LOG_LEVEL: 'silent',
    SMTP_URL: smtp.url,
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    ...(options.pglite
      ? {}
      : {
          DATABASE_URL: databaseUrl,
          DATABASE_SCHEMA: schema,
          DATA_KEY: randomBytes(32).toString('base64'),
          SIGNING_KEY: generateKeyPairSync('ed25519')
            .privateKey.export({ format: 'pem', type: 'pkcs8' })
            .toString(),
        }),
  });
  const app = await initApp(await createApp(config, { logger: false }));
  const { NOTIFICATION_SETTINGS } = await import('@passerelle/application');
  const settings = app.get<NotificationSettings>(NOTIFICATION_SETTINGS);
  const bus = app.get(MeasuredCommandBus);
  try {
    const party = async (country: 'US' | 'FR') => {
      const id = randomUUID();
      const contacts = Array.from({ length: contactsPerParty }, (_, i) => ({
        name: `Contact ${i}`,
        email: `c${i}-${id.slice(0, 8)}@example.${country === 'US' ? 'org' : 'fr'}`,
        language: country === 'US' ? 'en' : 'fr',
      }));
      const body = {
        name: `${country} party ${id.slice(0, 8)}`,
        kind: country === 'US' ? 'ihub' : 'pole',
        country,
        region: country === 'US' ? 'California' : 'Provence-Alpes-Côte d’Azur',
        sectors: ['blue_economy'],
        contacts,
      };
      await bus.execute(new RegisterOrganizationCommand(id, body as never, context()));
      return { id, emails: contacts.map((contact) => contact.email) };
    };
    const us = await party('US');
    const fr = await party('FR');
    const partnershipId = randomUUID();
    await bus.execute(
      new PartnershipCommand(
        partnershipId,
        'ProposePartnership',
        { title: 'Bench', parties: [us.id, fr.id], sectors: ['blue_economy'], axes: ['investment'] },
        context(),
      ),
    );
    const attendees = [...us.emails, ...fr.emails];
    const expected = meetings * attendees.length;

    const started = performance.now();
    for (let i = 0; i < meetings; i++) {
      await bus.execute(
        new PartnershipCommand(
          partnershipId,
          'ScheduleIntroductionMeeting',
          {
            meetingId: randomUUID(),
            startsAt: new Date(Date.now() + (10 + i) * 86_400_000).toISOString(),
            attendees,
          },
          context(),
        ),
      );
    }
    const commandsMs = performance.now() - started;
    await smtp.waitFor(expected, 600_000);
    const first = smtp.arrivals[0]! - started;
    const last = smtp.arrivals[smtp.arrivals.length - 1]! - started;
    const rate = (expected * 1000) / last;
    const steady = ((expected - 1) * 1000) / (last - first);
    log(
      `${meetings} meetings × ${attendees.length} attendees = ${expected} e-mails (${options.pglite ? 'PGlite' : 'PostgreSQL'}, ` +
        `worker concurrency ${settings.concurrency}, SMTP ${settings.smtpUrl})`,
    );
    log(`  commands appended in ${(commandsMs / 1000).toFixed(2)} s`);
    log(
      `  first e-mail ${(first / 1000).toFixed(2)} s after the first command, last ${(last / 1000).toFixed(2)} s`,
    );
    log(
      `  ${rate.toFixed(0)} e-mails/s from the first command; ${steady.toFixed(0)} e-mails/s while delivering`,
    );
    return { expected, commandsMs, firstMs: first, lastMs: last, rate, steady };
  } finally {
    await app
      .get<BullmqNotificationQueue>(NOTIFICATION_QUEUE)
      .obliterate()
      .catch(() => undefined);
    await app.close();
    await smtp.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (!options.pglite) {
      const admin = await createSqlClient({ databaseUrl, schema: 'public' });
      await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.close();
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      meetings: { type: 'string', default: '40' },
      contacts: { type: 'string', default: '25' },
      pglite: { type: 'boolean', default: false },
    },
  });
  await measureNotifications({
    meetings: Number(values.meetings),
    contacts: Number(values.contacts),
    pglite: values.pglite ?? false,
    databaseUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    redisUrl: process.env.REDIS_URL,
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
