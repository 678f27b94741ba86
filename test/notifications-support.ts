import { RequestMethod } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppConfig, loadConfig } from '@passerelle/config';
import { EVENT_STORE, EventStore } from '@passerelle/event-store';
import {
  BullmqNotificationQueue,
  NOTIFICATION_QUEUE,
  NOTIFICATION_STORE,
  NotificationRecord,
  NotificationSettings,
  notificationSettingsFrom,
  NotificationsRuntime,
  NotificationStore,
} from '@passerelle/notifications';
import type { ReceivedMail } from '@passerelle/notifications/testing/smtp-sink';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { AppModule } from '../apps/api/src/app.module';
import { mintToken, NOTIFICATION_SETTINGS, NOTIFICATIONS_RUNTIME } from '@passerelle/application';
import type { Role } from '../apps/api/src/auth/roles';
import { validationPipe } from '../apps/api/src/http/validation';

export const TEST_SECRET = 'test-secret-that-is-long-enough-0123456789';
export const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const SHARED_REDIS = 'redis://127.0.0.1:6379';
export const MAIL_FROM = 'Passerelle <no-reply@passerelle.test>';
/** One per test process: a restart of the application on the same schema must read what it wrote. */
const TEST_DATA_KEY = randomBytes(32).toString('base64');
const TEST_SIGNING_KEY = generateKeyPairSync('ed25519')
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The business date `days` before today (UTC). */
const daysAgo = (days: number): string => new Date(Date.now() - days * DAY).toISOString().slice(0, 10);

/** Quick retries and checks, no grace delay on signature requests: tests wait seconds, not minutes. */
export const FAST: Partial<NotificationSettings> = {
  attempts: 5,
  backoffMs: 50,
  retryDelayMs: 100,
  maxRetryDelayMs: 400,
  reconcileIntervalMs: 1000,
  signatureRequestDelayMs: 0,
  lockDurationMs: 3000,
  sendingTimeoutMs: 3000,
  concurrency: 8,
};

export interface NotificationsAppOptions {
  settings?: Partial<NotificationSettings>;
  /** `smtp://…` of the test's SMTP server; absent → `.eml` files in DATA_DIR/outbox. */
  smtpUrl?: string;
  redisUrl?: string;
  observers?: string[];
  /** Reuse a store (a restart): the data directory, or the PostgreSQL schema. */
  dataDir?: string;
  postgresSchema?: string;
  demoData?: boolean;
}

export interface OrganizationBody {
  name: string;
  kind: string;
  country: string;
  region: string;
  sectors: string[];
  contacts: { name: string; email: string; role?: string; language: 'en' | 'fr' }[];
}

/**
 * The whole application over HTTP, with the notification settings given (delays shortened), Redis and an
 * SMTP server of the test's choosing, and helpers to drive a partnership and to wait for e-mails to settle.
 */
export class NotificationsApp {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly config: AppConfig,
    readonly settings: NotificationSettings,
    readonly options: NotificationsAppOptions,
    private readonly tokens: Record<Role, string>,
  ) {}

  static async start(options: NotificationsAppOptions = {}): Promise<NotificationsApp> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'passerelle-notifications-'));
    const config = loadConfig({
      DATA_DIR: dataDir,
      JWT_SECRET: TEST_SECRET,
      DEMO_DATA: options.demoData ? 'true' : 'false',
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'silent',
      REDIS_URL: options.redisUrl ?? SHARED_REDIS,
      MAIL_FROM,
      ...(options.smtpUrl ? { SMTP_URL: options.smtpUrl } : {}),
      ...(options.observers ? { OBSERVER_EMAILS: options.observers.join(',') } : {}),
      ...(options.postgresSchema
        ? {
            DATABASE_URL: POSTGRES_URL,
            DATABASE_SCHEMA: options.postgresSchema,
            DATA_KEY: TEST_DATA_KEY,
            SIGNING_KEY: TEST_SIGNING_KEY,
          }
        : {}),
    });
    const settings = notificationSettingsFrom(config, { ...FAST, ...options.settings });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
      .overrideProvider(NOTIFICATION_SETTINGS)
      .useValue(settings)
      .compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
      logger: false,
    });
    app.setGlobalPrefix('api', {
      exclude: [
        { path: 'health', method: RequestMethod.GET },
        { path: 'health/ready', method: RequestMethod.GET },
      ],
    });
    app.useGlobalPipes(validationPipe);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    const tokens = {} as Record<Role, string>;
    for (const role of ['admin', 'officer', 'auditor', 'viewer'] as Role[]) {
      tokens[role] = await mintToken(TEST_SECRET, {
        sub: `test-${role}`,
        name: `Test ${role}`,
        roles: [role],
      });
    }
    return new NotificationsApp(app, config, settings, { ...options, dataDir }, tokens);
  }

  get dataDir(): string {
    return this.options.dataDir!;
  }

  get events(): EventStore {
    return this.app.get(EVENT_STORE);
  }

  get store(): NotificationStore {
    return this.app.get(NOTIFICATION_STORE);
  }

  get runtime(): NotificationsRuntime {
    return this.app.get(NOTIFICATIONS_RUNTIME);
  }

  get queue(): BullmqNotificationQueue {
    return this.app.get(NOTIFICATION_QUEUE);
  }

  as(role: Role) {
    const server = this.app.getHttpServer();
    const auth = (test: request.Test) => test.set('Authorization', `Bearer ${this.tokens[role]}`);
    return {
      get: (url: string) => auth(request(server).get(url)),
      post: (url: string, body?: object) => auth(request(server).post(url)).send(body ?? {}),
    };
  }

  http() {
    return request(this.app.getHttpServer());
  }

  async newOrganization(
    overrides: Partial<OrganizationBody> = {},
  ): Promise<OrganizationBody & { id: string }> {
    const n = randomUUID().slice(0, 8);
    const country = overrides.country ?? 'FR';
    const body: OrganizationBody = {
      name: `${country === 'US' ? 'iHub' : 'Pôle'} ${n}`,
      kind: country === 'US' ? 'ihub' : 'pole',
      country,
      region: country === 'US' ? 'California' : "Provence-Alpes-Côte d'Azur",
      sectors: ['blue_economy'],
      contacts: [
        {
          name: `${country === 'US' ? 'Ana' : 'Zoé'} ${n}`,
          email: `contact-${n}@example.${country === 'US' ? 'org' : 'fr'}`,
          language: country === 'US' ? 'en' : 'fr',
        },
      ],
      ...overrides,
    };
    const response = await this.as('officer').post('/api/organizations', body).expect(201);
    return { ...body, id: response.body.id as string };
  }

  /** A Californian and a French party, and a partnership between them, proposed 90 days ago. */
  async newPartnership(extra: { us?: Partial<OrganizationBody>; fr?: Partial<OrganizationBody> } = {}) {
    const us = await this.newOrganization({ country: 'US', ...extra.us });
    const fr = await this.newOrganization({ country: 'FR', ...extra.fr });
    const response = await this.as('officer')
      .post('/api/partnerships', {
        title: 'Blue economy pilot',
        parties: [us.id, fr.id],
        sectors: ['blue_economy'],
        axes: ['business_development'],
        on: daysAgo(90),
      })
      .expect(201);
    return { id: response.body.id as string, us, fr };
  }

  /** An introduction meeting held last week (or `days` ago) with a good outcome: the parties are introduced (no e-mail). */
  async introduce(partnershipId: string, attendees: string[], days = 7): Promise<void> {
    const startsAt = new Date(Date.now() - days * DAY).toISOString();
    const meeting = await this.as('officer')
      .post(`/api/partnerships/${partnershipId}/meetings`, { startsAt, attendees })
      .expect(201);
    await this.as('officer')
      .post(`/api/partnerships/${partnershipId}/meetings/${meeting.body.meetingId}/outcome`, {
        heldAt: startsAt,
        outcome: 'interested',
      })
      .expect(200);
  }

  /** An agreement drafted today, or on the business date `on`. */
  async draftAgreement(
    partnershipId: string,
    signatories: string[],
    termMonths = 24,
    on?: string,
  ): Promise<string> {
    const response = await this.as('officer')
      .post(`/api/partnerships/${partnershipId}/agreements`, {
        title: 'Cluster cooperation',
        termMonths,
        signatories,
        ...(on ? { on } : {}),
      })
      .expect(201);
    return response.body.agreementId as string;
  }

  async sign(
    partnershipId: string,
    agreementId: string,
    organizationId: string,
    signedAt?: string,
  ): Promise<void> {
    await this.as('officer')
      .post(`/api/partnerships/${partnershipId}/agreements/${agreementId}/signatures`, {
        organizationId,
        signerName: 'Signer',
        ...(signedAt ? { signedAt } : {}),
      })
      .expect(200);
  }

  async notifications(partnershipId: string): Promise<NotificationRecord[]> {
    return this.store.list({ partnershipId, limit: 200, offset: 0 });
  }

  /**
   * Waits until the dispatcher has reached the head of the log and no message is waiting, being sent or
   * retried (timers set for later do not count).
   */
  async settle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const head = await this.events.headPosition();
      // The checkpoint in SQL: whichever process dispatches (this one, or a worker of its own).
      const position = await this.store.checkpoint();
      const open = await this.store.outstanding();
      const counts = await this.queue.counts().catch(() => null);
      const idle =
        position >= head &&
        open.notifications.length === 0 &&
        counts !== null &&
        counts.sends.waiting +
          counts.sends.active +
          counts.sends.delayed +
          counts.timers.active +
          counts.timers.waiting ===
          0;
      if (idle) return;
      if (Date.now() > deadline) {
        throw new Error(
          `Notifications did not settle: dispatcher at ${position}/${head}, ${open.notifications.length} open, ` +
            `queue ${JSON.stringify(counts)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops the application (graceful) and keeps its store and queue for a restart. */
  async stop(): Promise<void> {
    await this.app.close();
  }

  /** Stops the application and removes its queues and store. */
  async close(): Promise<void> {
    await this.queue.obliterate().catch(() => undefined);
    await this.app.close();
    if (!this.options.postgresSchema) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** The notification id carried by a received message. */
export const notificationIdOf = (mail: ReceivedMail): string =>
  String(mail.parsed.headers.get('x-passerelle-notification'));

/** The iCalendar attachment of a received message, unfolded into lines. */
export function calendarLines(mail: ReceivedMail): string[] {
  const ics = mail.parsed.attachments.find((attachment) => attachment.filename === 'invite.ics');
  if (!ics) return [];
  return ics.content
    .toString('utf8')
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter(Boolean);
}

/** Every notification id received more than once. */
export function duplicates(mails: readonly ReceivedMail[]): string[] {
  const seen = new Map<string, number>();
  for (const mail of mails) seen.set(notificationIdOf(mail), (seen.get(notificationIdOf(mail)) ?? 0) + 1);
  return [...seen].filter(([, count]) => count > 1).map(([id]) => id);
}

export const inHours = (hours: number, from = Date.now()): string =>
  new Date(from + hours * HOUR).toISOString();
export { DAY, HOUR };
