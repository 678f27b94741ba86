import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { RedisSentinelOptions } from './adapters/bullmq-queue';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Everything the notification pipeline is tuned by. Built once from the application's configuration. */
export interface NotificationSettings {
  /** Run the dispatcher and the worker in this process (the embedded default). */
  inProcess: boolean;
  redisUrl: string;
  redisSentinel?: RedisSentinelOptions;
  /** Namespaces every queue key in Redis: one deployment (database and schema) per prefix. */
  queuePrefix: string;
  /** `smtp://…`; undefined → `.eml` files in `outboxDir`. */
  smtpUrl?: string;
  outboxDir: string;
  mailFrom: string;
  /** ORGANIZER of invitations: a mailbox whose replies someone reads; undefined → `mailFrom`, no RSVP asked. */
  calendarOrganizer?: string;
  observerEmails: string[];

  /** How long before a meeting its reminder goes out (24 h). */
  meetingReminderLeadMs: number;
  /** Time between signature reminders while a document stays unsigned (7 days). */
  signatureReminderIntervalMs: number;
  /** At most this many signature reminders per document version (3). */
  signatureReminderMax: number;
  /** How long before an agreement expires its renewal reminder goes out (60 days). */
  renewalLeadMs: number;
  /**
   * Signature requests wait this long and are checked again before they go: an officer entering an agreement
   * signed on paper records the signatures right after the draft, and nobody should be asked to sign again.
   */
  signatureRequestDelayMs: number;
  /** Events (and business dates) older than this are history: they schedule timers but send nothing. */
  historyCutoffMs: number;
  /** A reminder that comes due later than this (the service was down) is dropped rather than sent late. */
  lateReminderToleranceMs: number;

  /** Delivery attempts per message before it is listed as failed. */
  attempts: number;
  /** First retry delay; doubles at each attempt. */
  backoffMs: number;
  concurrency: number;
  /**
   * Completed jobs are kept this long in Redis (at most 1,000 per queue): BullMQ then ignores a repeat of
   * their id. Only a shortcut: the SQL record is what refuses a second send.
   */
  keepCompletedSeconds: number;
  /** Events per dispatcher batch. */
  batchSize: number;
  /** First pause after the dispatcher fails (Redis down); doubles up to `maxRetryDelayMs`. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
  /** How often queued work recorded in SQL is offered to Redis again (covers a Redis that lost its data). */
  reconcileIntervalMs: number;
  /** A message left `sending` longer than this belonged to a worker that stopped mid-send. */
  sendingTimeoutMs: number;
  /** A job whose worker stops renewing its lock this long is given to another worker. */
  lockDurationMs: number;
}

/** The part of the application configuration notifications read. */
export interface NotificationConfigSource {
  redisUrl: string;
  redisSentinel?: RedisSentinelOptions;
  smtpUrl?: string;
  mailFrom: string;
  calendarOrganizer?: string;
  /** SIGNATURE_REQUEST_DELAY_SECONDS (default 300). */
  signatureRequestDelaySeconds?: number;
  observerEmails: string[];
  dataDir: string;
  databaseUrl?: string;
  databaseSchema: string;
  /** Whether this process runs the dispatcher and worker (default true). */
  inProcess?: { notifications: boolean };
}

/**
 * One deployment, one set of queues: the schema and database for PostgreSQL, the data directory for the
 * embedded store (which no other process can open). Processes of one deployment agree on it without a setting.
 */
export function queuePrefixFor(config: NotificationConfigSource): string {
  let location: string;
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    location = `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } else {
    location = `embedded:${config.dataDir}`;
  }
  const digest = createHash('sha256')
    .update(`${location}|${config.databaseSchema}`)
    .digest('hex')
    .slice(0, 12);
  return `passerelle:${config.databaseSchema}:${digest}`;
}

/**
 * When timers come due, how late one may still fire, and how old a step is history: fixed, the same for
 * every process (and for a copied log's timers, planned outside the service: see startDispatcherAtHead).
 */
export const PLANNING_TIMES = {
  meetingReminderLeadMs: DAY,
  signatureReminderIntervalMs: 7 * DAY,
  signatureReminderMax: 3,
  renewalLeadMs: 60 * DAY,
  historyCutoffMs: 30 * DAY,
  lateReminderToleranceMs: 3 * DAY,
} satisfies Partial<NotificationSettings>;

export function notificationSettingsFrom(
  config: NotificationConfigSource,
  overrides: Partial<NotificationSettings> = {},
): NotificationSettings {
  return {
    inProcess: config.inProcess?.notifications ?? true,
    redisUrl: config.redisUrl,
    ...(config.redisSentinel ? { redisSentinel: config.redisSentinel } : {}),
    queuePrefix: queuePrefixFor(config),
    smtpUrl: config.smtpUrl,
    outboxDir: join(config.dataDir, 'outbox'),
    mailFrom: config.mailFrom,
    calendarOrganizer: config.calendarOrganizer,
    observerEmails: config.observerEmails,
    ...PLANNING_TIMES,
    signatureRequestDelayMs: (config.signatureRequestDelaySeconds ?? 5 * 60) * SECOND,
    attempts: 8,
    backoffMs: 5 * SECOND,
    concurrency: 8,
    keepCompletedSeconds: 24 * 3600,
    batchSize: 200,
    retryDelayMs: 500,
    maxRetryDelayMs: 30 * SECOND,
    reconcileIntervalMs: 5 * MINUTE,
    sendingTimeoutMs: 2 * MINUTE,
    lockDurationMs: 30 * SECOND,
    ...overrides,
  };
}
