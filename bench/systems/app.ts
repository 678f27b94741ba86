import { loadConfig } from '@passerelle/config';
import { NOTIFICATION_STORE, queuePrefixFor, type NotificationStore } from '@passerelle/notifications';
import { deleteQueueKeys } from '@passerelle/notifications/testing/queue-keys';
import { EVENT_STORE, type EventStore } from '@passerelle/event-store';
import { HeadSigner, STORED_EVENT_STORE } from '@passerelle/privacy';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { mintToken } from '@passerelle/application';
import { createApp, type PasserelleApp } from '../../apps/api/src/bootstrap';
import { ReadModels } from '../../apps/api/src/read-models/read-models.service';
import { closedLoop } from '../lib/load';
import { newStreamId, suspensionEvent } from '../lib/payload';
import type { Sample } from '../lib/stats';
import type { BenchSystem, Load } from './types';

export interface AppParams {
  /** The deployment: DATABASE_URL, DATABASE_SCHEMA, JWT_SECRET, DATA_KEY, SIGNING_KEY (benchEnvironment). */
  env: Record<string, string>;
}

/**
 * One deployment's environment, shared by the API process and, with IN_PROCESS=none, its background process.
 * `keysFrom`: the data and signing keys derived from it, the same at every run (a log kept between runs).
 */
export function benchEnvironment(
  databaseUrl: string,
  schema: string,
  keysFrom?: string,
): Record<string, string> {
  const seed = (what: string) =>
    keysFrom === undefined ? randomBytes(32) : createHash('sha256').update(`${what}:${keysFrom}`).digest();
  return {
    DATABASE_URL: databaseUrl,
    DATABASE_SCHEMA: schema,
    JWT_SECRET: SECRET,
    DATA_KEY: seed('data').toString('base64'),
    // An Ed25519 private key in PKCS #8 is a fixed prefix and its 32-byte seed.
    SIGNING_KEY: Buffer.concat([ED25519_PKCS8_PREFIX, seed('signing')]).toString('base64'),
    DEMO_DATA: 'false',
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'silent',
  };
}

/** The embedded default (`npm start`): PGlite in DATA_DIR, everything in one process. */
export function embeddedEnvironment(): Record<string, string> {
  const { DATABASE_URL: _url, DATABASE_SCHEMA: _schema, ...env } = benchEnvironment('', '');
  return env;
}

export interface Counters {
  statements: number;
  cpuMs: number;
}

export interface AppInfo {
  url: string;
  token: string;
  /** An auditor's (GET /api/audit/verify). */
  auditToken: string;
}

const SECRET = 'bench-secret-that-is-long-enough-0123456789';
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** SQL statements this process has sent, on every connection (commands, projections, e-mail, locks). */
let statements = 0;
const query = Client.prototype.query as (...args: unknown[]) => unknown;
(Client.prototype as unknown as { query: typeof query }).query = function (this: Client, ...args: unknown[]) {
  statements += 1;
  return query.apply(this, args);
};

/**
 * The whole application as `npm start` builds it (createApp, loadConfig) on PostgreSQL, listening on
 * a free port. The load generator runs in another process, as clients would.
 */
export async function open(params: AppParams): Promise<BenchSystem> {
  // A DATA_DIR given (a store filled beforehand) is the caller's to remove; one made here is removed here.
  const given = params.env.DATA_DIR;
  const dataDir = given ?? mkdtempSync(join(tmpdir(), 'passerelle-bench-app-'));
  const removeDataDir = () => {
    if (!given) rmSync(dataDir, { recursive: true, force: true });
  };
  const config = loadConfig({ ...params.env, DATA_DIR: dataDir });
  let app: PasserelleApp | undefined;
  const starting = performance.now();
  try {
    app = await createApp(config, { logger: false });
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app?.close().catch(() => undefined);
    removeDataDir();
    throw error;
  }
  const opened = app;
  /** From createApp to listening (opening the store, migrations, read-model tables, keys, routes). */
  const startMs = performance.now() - starting;
  const { port } = opened.getHttpServer().address() as AddressInfo;
  const token = await mintToken(SECRET, { sub: 'bench-officer', name: 'Bench Officer', roles: ['officer'] });
  const auditToken = await mintToken(SECRET, {
    sub: 'bench-auditor',
    name: 'Bench Auditor',
    roles: ['auditor'],
  });
  const store = opened.get<EventStore>(EVENT_STORE);
  // The peak is sampled only while one is being measured (resetPeakMemory to memory({ stopPeak })): the
  // sampler costs the process CPU, which the command figures would count.
  let peakRss = process.memoryUsage.rss();
  let sampler: NodeJS.Timeout | undefined;
  const stopSampling = () => {
    clearInterval(sampler);
    sampler = undefined;
  };
  const readModels = opened.get(ReadModels);

  return {
    async info(): Promise<AppInfo> {
      return { url: `http://127.0.0.1:${port}`, token, auditToken };
    },

    /** How many SQL statements this process has sent so far, and its CPU time (ms). */
    async counters(): Promise<Counters> {
      const { user, system } = process.cpuUsage();
      return { statements, cpuMs: (user + system) / 1000 };
    },

    /** How long the application took to start (createApp to listening), ms. */
    async startup(): Promise<number> {
      return startMs;
    },

    /**
     * Resident memory now, and the highest seen (sampled every 20 ms) since the last `resetPeakMemory`;
     * `stopPeak`: the measurement of the peak ends here (sampling stops).
     */
    async memory({ stopPeak = false }: { stopPeak?: boolean } = {}): Promise<{
      rssMb: number;
      peakRssMb: number;
    }> {
      const rss = process.memoryUsage.rss();
      peakRss = Math.max(peakRss, rss);
      if (stopPeak) stopSampling();
      return { rssMb: rss / 2 ** 20, peakRssMb: peakRss / 2 ** 20 };
    },

    /** The whole log as stored, in batches of 1,000 by position, through the application's store: events/s. */
    async readAll(): Promise<{ events: number; perSecond: number }> {
      const stored = opened.get<EventStore>(STORED_EVENT_STORE);
      const started = performance.now();
      let events = 0;
      for (let after = 0; ;) {
        const batch = await stored.readAll({ after, maxCount: 1000 });
        if (batch.length === 0) break;
        events += batch.length;
        after = batch[batch.length - 1]!.position;
      }
      return { events, perSecond: (events * 1000) / (performance.now() - started) };
    },

    /** Starts measuring the peak resident memory, from now (see `memory`). */
    async resetPeakMemory(): Promise<void> {
      peakRss = process.memoryUsage.rss();
      stopSampling();
      sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
      sampler.unref();
    },

    /** The store's bare append, in this process, with the application's own store and pool. */
    append({ ops, concurrency }: Load): Promise<Sample> {
      return closedLoop(concurrency, ops, async () => {
        const streamId = newStreamId();
        await store.appendToStream(streamId, [suspensionEvent(streamId)], 'no_stream');
      });
    },

    /**
     * Waits until the work the last load left behind is done — every e-mail it caused sent (the
     * outbox, without SMTP_URL) and recorded, the read models caught up with the log, and the head of
     * the log signed — so the next measurement starts on an idle application. Returns how long that took.
     * The head: a log written without the application (the growth suite's fill) has no signed head, so
     * the first start reads the whole log to sign it (at 1M events, a minute of the API's CPU), which a
     * live server did as the log grew (decision 0028).
     */
    async settle({ mail: waitForMail = true }: { mail?: boolean } = {}): Promise<number> {
      const started = performance.now();
      await opened.get(HeadSigner, { strict: false }).signHead();
      const deadline = Date.now() + 600_000;
      const mail = opened.get<NotificationStore>(NOTIFICATION_STORE, { strict: false });
      for (;;) {
        const head = await store.headPosition();
        const due = (waitForMail ? (await mail.outstanding()).notifications : []).filter(
          (notification) => !notification.notBefore || notification.notBefore.getTime() <= Date.now(),
        );
        const idle =
          due.length === 0 &&
          (!waitForMail || (await mail.checkpoint()) >= head) &&
          (await readModels.waitForPosition(head, Math.max(0, deadline - Date.now()))) &&
          (await store.headPosition()) === head;
        if (idle) return performance.now() - started;
        if (Date.now() > deadline) throw new Error('the application did not settle in 10 minutes');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },

    /**
     * Resolves once every projection has processed `position`, as this process sees it (read your
     * writes; with IN_PROCESS=none it learns of the projector's progress by its notifications or by
     * reading the checkpoints).
     */
    async waitForPosition({ position }: { position: number }): Promise<void> {
      if (!(await readModels.waitForPosition(position, 60_000))) {
        throw new Error(`position ${position} never visible`);
      }
    },

    async close(): Promise<void> {
      stopSampling();
      try {
        await opened.close();
        await deleteQueueKeys(config.redisUrl, `${queuePrefixFor(config)}:`, config.redisSentinel);
      } finally {
        removeDataDir();
      }
    },
  };
}
