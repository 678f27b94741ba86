/**
 * The failure rehearsal of the highly available topology (docs/deployment.md, "Highly available shape").
 *
 *   npm run rehearsal               every fault: PostgreSQL leader, Redis master, an API replica, the active
 *                                   projector, a worker while it sends, an etcd member stopped and restarted
 *   npm run rehearsal -- --quick    about 3 minutes: PostgreSQL leader, Redis master, API replica, projector
 *
 * Starts the topology with ops/ha/up.sh (HA_APPS=1) when the API does not answer through HAProxy, drives a
 * steady load through HAProxy — commands with an Idempotency-Key, retried with the same key on 503 or a
 * dropped connection as a client should, and reads with `minPosition` — while the faults run one after the
 * other, restarts what was killed, lets everything settle, then checks from the data itself: every
 * acknowledged command's events are in the log exactly once, /api/audit/verify is clean (hash chain, and
 * every read model equal to a fresh rebuild), and every planned e-mail reached the SMTP sink exactly once.
 * Prints a table and writes bench/results/rehearsal.json. Exits 1 when data is lost or duplicated (an e-mail
 * not delivered counts as lost, also when listed failed for an operator), or the verification fails; 2 when
 * the topology cannot start; 500s are reported loudly but do not fail it.
 *
 * With EVENTSTORE_CONNECTION_STRING set, the apps keep their events in that EventStoreDB / KurrentDB cluster
 * and the log check reads it; ESDB_KILL_LEADER (a shell command) then adds the fault "kill the leader node".
 * That variant has not been run here (no such server can be installed on these machines).
 */
import { deterministicUuid, eventIdFor, mintToken } from '@passerelle/application';
import { createSqlClient, type SqlClient } from '@passerelle/database';
import { SqlEventStore, type EventStore, type RecordedEvent } from '@passerelle/event-store';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';

const ROOT = resolve(__dirname, '../..');
const HA_DIR = process.env.HA_DIR ?? '/tmp/passerelle-ha';
const API = 'http://127.0.0.1:18080';
const WRITE_URL = 'postgres://postgres@127.0.0.1:15500/passerelle';
const PATRONI_PORTS = [18001, 18002, 18003];
const SENTINEL_PORTS = [26380, 26381, 26382];
const REQUEST_TIMEOUT_MS = 30_000;
/** A client here retries a 503 or a dropped connection after Retry-After, at most this long. */
const RETRY_PAUSE_CAP_MS = 500;

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    clients: { type: 'string', default: '4' },
    output: { type: 'string', default: join(ROOT, 'bench/results/rehearsal.json') },
  },
});
const quick = args.quick ?? false;
const CLIENTS = Math.max(1, Number(args.clients));

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
const now = () => Date.now();
const log = (line: string) => console.log(`[rehearsal ${new Date().toISOString().slice(11, 19)}] ${line}`);

// --- the topology ---------------------------------------------------------------------------------------------

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/**
 * ops/ha/up.sh with the apps: starts whatever is not running (its output goes to a log file). The
 * rehearsal's clients all come from 127.0.0.1 through HAProxy, so the per-client rate limit would count
 * them as one client and answer 429 to a load it is not there to limit: the apps it starts run without it
 * (RATE_LIMIT_PER_MINUTE=0) unless the variable is set.
 */
function up(): Promise<number> {
  const logFile = join(HA_DIR, 'logs', 'rehearsal-up.log');
  mkdirSync(join(HA_DIR, 'logs'), { recursive: true });
  return new Promise((done) => {
    const child = spawn('bash', ['-c', `ops/ha/up.sh >>'${logFile}' 2>&1`], {
      cwd: ROOT,
      env: { ...process.env, HA_APPS: '1', RATE_LIMIT_PER_MINUTE: process.env.RATE_LIMIT_PER_MINUTE ?? '0' },
      stdio: 'inherit',
    });
    child.on('exit', (code) => done(code ?? 1));
  });
}

function pidOf(name: string): number | undefined {
  const file = join(HA_DIR, 'pids', `${name}.pid`);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** The service's processes now running, by name. */
function appPids(): Map<string, number> {
  const names = ['api1', 'api2', 'projector1', 'projector2', 'worker1', 'worker2'].map((n) => `app-${n}`);
  return new Map(
    names.flatMap((name) => {
      const pid = pidOf(name);
      return pid === undefined ? [] : [[name, pid] as const];
    }),
  );
}

function kill(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  process.kill(pid, signal);
}

async function patroniCluster(): Promise<{ name: string; role: string; state: string }[]> {
  for (const port of PATRONI_PORTS) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/cluster`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return ((await response.json()) as { members: never[] }).members;
    } catch {
      // The next member answers.
    }
  }
  return [];
}

function sentinelMaster(): number | undefined {
  for (const port of SENTINEL_PORTS) {
    const reply = spawnSync(
      'redis-cli',
      ['-p', String(port), '--raw', 'SENTINEL', 'get-master-addr-by-name', 'passerelle'],
      {
        encoding: 'utf8',
        timeout: 2000,
      },
    );
    const lines = reply.stdout?.trim().split('\n') ?? [];
    if (lines.length === 2 && /^\d+$/.test(lines[1]!)) return Number(lines[1]);
  }
  return undefined;
}

async function waitUntil(
  what: string,
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    if (await condition()) return true;
    await sleep(250);
  }
  log(`warning: ${what} not reached in ${timeoutMs / 1000} s`);
  return false;
}

/** Everything back: 3 PostgreSQL members streaming with a synchronous standby, 2 API replicas, a Redis master. */
async function healthy(): Promise<boolean> {
  const members = await patroniCluster();
  const pgOk =
    members.length === 3 &&
    members.some((m) => m.role === 'leader') &&
    members.some((m) => m.role === 'sync_standby') &&
    members.every((m) => m.state === 'running' || m.state === 'streaming');
  return (
    pgOk &&
    (await answers('http://127.0.0.1:13001/health')) &&
    (await answers('http://127.0.0.1:13002/health')) &&
    sentinelMaster() !== undefined
  );
}

// --- the database, read directly ------------------------------------------------------------------------------

/** A short-lived connection through HAProxy's write port; undefined while the primary is away. */
async function withPrimary<T>(work: (client: Client) => Promise<T>): Promise<T | undefined> {
  const client = new Client({
    connectionString: WRITE_URL,
    connectionTimeoutMillis: 1000,
    query_timeout: 3000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await work(client);
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The head of the log and the lowest read-model checkpoint. */
async function progress(): Promise<{ head: number; checkpoint: number } | undefined> {
  return withPrimary(async (client) => {
    const { rows } = await client.query<{ head: string; checkpoint: string | null }>(
      `SELECT (SELECT coalesce(max(global_position), 0) FROM events) AS head,
              (SELECT min(position) FROM processor_checkpoints
                WHERE name IN (SELECT name FROM projection_checkpoints)) AS checkpoint`,
    );
    return { head: Number(rows[0]!.head), checkpoint: Number(rows[0]!.checkpoint ?? 0) };
  });
}

// --- the load -------------------------------------------------------------------------------------------------

type Status = number | string;
interface Answer {
  at: number;
  status: Status;
  kind: 'command' | 'read';
}
interface Acknowledged {
  commandId: string;
  path: string;
  at: number;
}

const answersLog: Answer[] = [];
const acknowledged: Acknowledged[] = [];
const abandoned: { path: string; status: Status }[] = [];
let running = true;

interface Tokens {
  officer: string;
  auditor: string;
  sub: string;
}

async function call(
  tokens: Tokens,
  method: 'GET' | 'POST',
  path: string,
  body?: object,
  key?: string,
): Promise<{ status: Status; body: Record<string, unknown>; retryAfter?: number }> {
  try {
    const response = await fetch(`${API}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens.officer}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // HAProxy's own pages are HTML.
    }
    const retryAfter = Number(response.headers.get('retry-after') ?? NaN);
    // A 503 says who refused: the service (its problem type) or HAProxy (no server to send it to).
    const status: Status =
      response.status === 503
        ? `503 ${typeof parsed.type === 'string' ? parsed.type.replace('urn:passerelle:problem:', '') : 'proxy'}`
        : response.status;
    return { status, body: parsed, ...(Number.isFinite(retryAfter) ? { retryAfter } : {}) };
  } catch {
    return { status: 'dropped', body: {} };
  }
}

const retryable = (status: Status) =>
  status === 'dropped' || String(status).startsWith('503') || status === 502 || status === 504;

/** A command as a careful client sends it: one key, retried with that key until answered. */
async function command(
  tokens: Tokens,
  path: string,
  body: object,
): Promise<Record<string, unknown> | undefined> {
  const key = `rehearsal-${crypto.randomUUID()}`;
  for (;;) {
    const answer = await call(tokens, 'POST', path, body, key);
    answersLog.push({ at: now(), status: answer.status, kind: 'command' });
    if (answer.status === 200 || answer.status === 201) {
      acknowledged.push({
        commandId: deterministicUuid('command', tokens.sub, `POST ${path}`, key),
        path,
        at: now(),
      });
      return answer.body;
    }
    if (!retryable(answer.status) || !running) {
      // Not retried: a refusal is the request's fault (reported), and at the end nothing is retried.
      if (!retryable(answer.status)) abandoned.push({ path, status: answer.status });
      if (running || !retryable(answer.status)) return undefined;
      // Stopping: finish this command anyway, so it ends acknowledged or clearly not.
    }
    await sleep(Math.min((answer.retryAfter ?? 0.2) * 1000, RETRY_PAUSE_CAP_MS));
  }
}

const reads = new Set<Promise<void>>();

/** A read, retried a few times on 503 (the read models behind, or the database away). */
async function read(tokens: Tokens, path: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const answer = await call(tokens, 'GET', path);
    answersLog.push({ at: now(), status: answer.status, kind: 'read' });
    if (!retryable(answer.status)) return;
    await sleep(Math.min((answer.retryAfter ?? 0.2) * 1000, RETRY_PAUSE_CAP_MS));
  }
}

async function client(tokens: Tokens, index: number): Promise<void> {
  let n = 0;
  while (running) {
    n += 1;
    const tag = `${index}-${n}-${crypto.randomUUID().slice(0, 6)}`;
    const organization = (country: 'US' | 'FR') => ({
      name: `${country === 'US' ? 'iHub' : 'Pôle'} rehearsal ${tag}`,
      kind: country === 'US' ? 'ihub' : 'pole',
      country,
      region: country === 'US' ? 'California' : "Provence-Alpes-Côte d'Azur",
      sectors: ['blue_economy'],
      contacts: [
        {
          name: `Contact ${tag}`,
          email: `contact-${tag}@example.${country === 'US' ? 'org' : 'fr'}`,
          language: country === 'US' ? 'en' : 'fr',
        },
      ],
    });
    const us = await command(tokens, '/api/organizations', organization('US'));
    const fr = await command(tokens, '/api/organizations', organization('FR'));
    if (!us || !fr) continue;
    const partnership = await command(tokens, '/api/partnerships', {
      title: `Rehearsal ${tag}`,
      parties: [us.id, fr.id],
      sectors: ['blue_economy'],
      axes: ['business_development'],
    });
    if (!partnership) continue;
    const id = String(partnership.id);
    // Every other partnership gets a meeting: an invitation e-mail to each of its two contacts.
    if (n % 2 === 0) {
      await command(tokens, `/api/partnerships/${id}/meetings`, {
        startsAt: '2027-03-02T16:00:00Z',
        endsAt: '2027-03-02T17:30:00Z',
        timezone: 'Europe/Paris',
        location: 'Marseille',
        agenda: 'Scope',
        attendees: [`contact-${tag}@example.org`, `contact-${tag}@example.fr`],
      });
    }
    const position = Number(partnership.position ?? 0);
    // Read your write, beside the next commands (a read waiting for the read models holds no write back).
    const reading = read(tokens, `/api/partnerships/${id}${position ? `?minPosition=${position}` : ''}`);
    reads.add(reading);
    void reading.finally(() => reads.delete(reading));
  }
}

// --- the faults -----------------------------------------------------------------------------------------------

interface Fault {
  name: string;
  goal: string;
  /** Injects the fault; returns what was done. */
  inject(): Promise<string>;
  /** How long the load runs after the injection before what was killed is restarted. */
  observeMs: number;
}

async function activeProjector(): Promise<number | undefined> {
  const pids = [pidOf('app-projector1'), pidOf('app-projector2')].filter(
    (pid): pid is number => pid !== undefined,
  );
  const holders = await withPrimary(async (client) => {
    const { rows } = await client.query<{ application_name: string }>(
      `SELECT DISTINCT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE 'passerelle:projector:%'`,
    );
    return rows.map((row) => Number(row.application_name.split(':')[2]));
  });
  return pids.find((pid) => holders?.includes(pid)) ?? pids[0];
}

const faults: Fault[] = [
  {
    name: 'PostgreSQL leader',
    goal: '<= 30 s without writes',
    observeMs: 35_000,
    async inject() {
      const leader = (await patroniCluster()).find((m) => m.role === 'leader');
      if (!leader) throw new Error('no Patroni leader');
      const pid = Number(
        readFileSync(join(HA_DIR, 'pg', leader.name, 'postmaster.pid'), 'utf8').split('\n')[0],
      );
      kill(pid);
      return `SIGKILL PostgreSQL of leader ${leader.name} (pid ${pid})`;
    },
  },
  {
    name: 'Redis master',
    goal: '<= 15 s, commands accepted',
    observeMs: 20_000,
    async inject() {
      const port = sentinelMaster();
      const pid = port === undefined ? undefined : pidOf(`redis-${port}`);
      if (pid === undefined) throw new Error('no Redis master started by up.sh');
      kill(pid);
      return `SIGKILL Redis master on ${port} (pid ${pid})`;
    },
  },
  {
    name: 'API replica',
    goal: '0 s through HAProxy',
    observeMs: 10_000,
    async inject() {
      const pid = pidOf('app-api1');
      if (pid === undefined) throw new Error('app-api1 is not running');
      kill(pid);
      return `SIGKILL API replica api1 (pid ${pid})`;
    },
  },
  {
    name: 'active projector',
    goal: '<= lock TTL (session; standby polls 1 s)',
    observeMs: 15_000,
    async inject() {
      const pid = await activeProjector();
      if (pid === undefined) throw new Error('no projector running');
      kill(pid);
      return `SIGKILL projector holding the locks (pid ${pid})`;
    },
  },
  {
    name: 'worker while sending',
    goal: 'e-mails exactly once',
    observeMs: 15_000,
    async inject() {
      await waitUntil(
        'an e-mail being sent',
        async () =>
          (await withPrimary(
            async (c) =>
              (await c.query(`SELECT 1 FROM notifications WHERE status = 'sending' LIMIT 1`)).rowCount,
          )) === 1,
        10_000,
      );
      const pid = pidOf('app-worker1');
      if (pid === undefined) throw new Error('app-worker1 is not running');
      kill(pid);
      return `SIGKILL worker1 (pid ${pid})`;
    },
  },
  {
    name: 'etcd member',
    goal: 'no effect',
    observeMs: 15_000,
    async inject() {
      const pid = pidOf('etcd-e3');
      if (pid === undefined) throw new Error('etcd-e3 is not running');
      kill(pid, 'SIGTERM');
      return `stopped etcd member e3 (SIGTERM, pid ${pid}); restarted after the window`;
    },
  },
];

const esdbKill = process.env.ESDB_KILL_LEADER;
if (process.env.EVENTSTORE_CONNECTION_STRING && esdbKill) {
  faults.push({
    name: 'EventStoreDB leader',
    goal: 'as PostgreSQL leader',
    observeMs: 35_000,
    async inject() {
      spawnSync('bash', ['-c', esdbKill], { stdio: 'inherit' });
      return `ran ESDB_KILL_LEADER`;
    },
  });
}

const schedule = quick
  ? faults.filter((f) =>
      ['PostgreSQL leader', 'Redis master', 'API replica', 'active projector'].includes(f.name),
    )
  : faults;

// --- measuring ------------------------------------------------------------------------------------------------

interface LagSample {
  at: number;
  lag: number;
  checkpoint: number;
}
const lagSamples: LagSample[] = [];

async function sampleLag(): Promise<void> {
  while (running) {
    const p = await progress();
    if (p) lagSamples.push({ at: now(), lag: Math.max(0, p.head - p.checkpoint), checkpoint: p.checkpoint });
    await sleep(500);
  }
}

const p99 = (values: number[]) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
};

/** The longest stretch in [from, to] with no command acknowledged (the kill counts as a start). */
function secondsWithoutWrites(from: number, to: number): number {
  const times = acknowledged
    .map((a) => a.at)
    .filter((t) => t >= from && t <= to)
    .sort((a, b) => a - b);
  let previous = from;
  let longest = 0;
  for (const t of [...times, to]) {
    longest = Math.max(longest, t - previous);
    previous = t;
  }
  return longest / 1000;
}

/** Seconds from `from` until the read models' checkpoint moved again (while there was something to do). */
function secondsWithoutProjection(from: number, to: number): number | null {
  const window = lagSamples.filter((s) => s.at >= from && s.at <= to);
  const first = window[0];
  if (!first) return null;
  const moved = window.find((s) => s.checkpoint > first.checkpoint);
  return moved ? (moved.at - from) / 1000 : (to - from) / 1000;
}

function statusCounts(from: number, to: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of answersLog)
    if (a.at >= from && a.at <= to) counts[String(a.status)] = (counts[String(a.status)] ?? 0) + 1;
  return counts;
}

// --- checking the data ----------------------------------------------------------------------------------------

async function openStore(client: SqlClient): Promise<EventStore> {
  const esdb = process.env.EVENTSTORE_CONNECTION_STRING;
  if (!esdb) return new SqlEventStore(client);
  const { createEsdbEventStore } = await import('@passerelle/event-store/esdb');
  return createEsdbEventStore(esdb);
}

async function checkLog(): Promise<{ acknowledged: number; lost: number; duplicated: number }> {
  const client = await createSqlClient({ databaseUrl: WRITE_URL, schema: 'public', maxConnections: 2 });
  const store = await openStore(client);
  try {
    const byId = new Map<string, RecordedEvent[]>();
    const typesByStream = new Map<string, Map<string, number>>();
    for (let after = 0; ;) {
      const batch = await store.readAll({ after, maxCount: 2000 });
      if (batch.length === 0) break;
      for (const event of batch) {
        byId.set(event.id, [...(byId.get(event.id) ?? []), event]);
        const types = typesByStream.get(event.streamId) ?? new Map<string, number>();
        types.set(event.type, (types.get(event.type) ?? 0) + 1);
        typesByStream.set(event.streamId, types);
      }
      after = batch[batch.length - 1]!.position;
    }
    let lost = 0;
    let duplicated = 0;
    for (const ack of acknowledged) {
      const events = byId.get(eventIdFor(ack.commandId, 0)) ?? [];
      if (events.length === 0) lost += 1;
      // Twice the same event id, or the command's kind of event twice in its stream (applied twice).
      else if (events.length > 1 || (typesByStream.get(events[0]!.streamId)?.get(events[0]!.type) ?? 0) > 1)
        duplicated += 1;
    }
    return { acknowledged: acknowledged.length, lost, duplicated };
  } finally {
    await store.close();
    await client.close();
  }
}

async function checkVerify(tokens: Tokens): Promise<{ ok: boolean; problems: number; readModels: string }> {
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      const response = await fetch(`${API}/api/audit/verify`, {
        headers: { authorization: `Bearer ${tokens.auditor}` },
        signal: AbortSignal.timeout(300_000),
      });
      if (response.status === 503) {
        await sleep(1000);
        continue;
      }
      const report = (await response.json()) as {
        ok: boolean;
        problems: unknown[];
        readModels: { ok: boolean }[];
      };
      const equal = report.readModels.filter((r) => r.ok).length;
      return {
        ok: response.ok && report.ok,
        problems: report.problems.length,
        readModels: `${equal}/${report.readModels.length} equal to a rebuild`,
      };
    } catch {
      await sleep(1000);
    }
  }
  return { ok: false, problems: -1, readModels: 'verify did not answer' };
}

interface SinkMessage {
  messageId: string | null;
}

/**
 * Each planned e-mail (a notification not skipped) against the sink: its Message-ID is
 * `<notification id@domain>` on every attempt, so a message sent twice shows as two.
 */
async function checkEmails(since: Date, sinkOffset: number) {
  const rows =
    (await withPrimary(
      async (c) =>
        (
          await c.query<{ id: string; status: string }>(
            `SELECT id, status FROM notifications WHERE created_at >= $1 AND status <> 'skipped'`,
            [since],
          )
        ).rows,
    )) ?? [];
  const lines = readFileSync(join(HA_DIR, 'smtp', 'messages.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(sinkOffset);
  const received = new Map<string, number>();
  for (const line of lines) {
    const id = /^<?([^@>]+)@/.exec((JSON.parse(line) as SinkMessage).messageId ?? '')?.[1];
    if (id) received.set(id, (received.get(id) ?? 0) + 1);
  }
  let delivered = 0;
  let duplicated = 0;
  let lost = 0;
  let deliveredButMarkedUnknown = 0;
  let heldForOperator = 0;
  for (const row of rows) {
    const count = received.get(row.id) ?? 0;
    // Not delivered but listed as failed ("outcome unknown: retry it if the recipient did not get it"): an
    // operator sees it; reported apart from a message lost without a trace.
    if (count === 0 && row.status === 'failed') heldForOperator += 1;
    else if (count === 0) lost += 1;
    else delivered += 1;
    if (count > 1) duplicated += count - 1;
    if (count > 0 && row.status === 'failed') deliveredButMarkedUnknown += 1;
  }
  return {
    planned: rows.length,
    delivered,
    duplicated,
    lost,
    notMarkedSent: rows.filter((r) => r.status !== 'sent').length,
    deliveredButMarkedUnknown,
    heldForOperator,
  };
}

function sinkLineCount(): number {
  const file = join(HA_DIR, 'smtp', 'messages.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

// --- the run --------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  if (!(await answers(`${API}/health`))) {
    log('the topology is not up: ops/ha/up.sh with the apps');
    if ((await up()) !== 0 || !(await answers(`${API}/health`))) {
      console.error(`The topology could not start; see ${HA_DIR}/logs/rehearsal-up.log`);
      return 2;
    }
  }
  if (!(await waitUntil('a healthy topology', healthy, 120_000))) return 2;
  const secrets = Object.fromEntries(
    readFileSync(join(HA_DIR, 'secrets.env'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  const sub = 'rehearsal';
  const tokens: Tokens = {
    sub,
    officer: await mintToken(secrets.JWT_SECRET!, { sub, name: 'Rehearsal officer', roles: ['officer'] }),
    auditor: await mintToken(secrets.JWT_SECRET!, {
      sub: 'rehearsal-auditor',
      name: 'Rehearsal auditor',
      roles: ['auditor'],
    }),
  };

  const started = new Date();
  const sinkOffset = sinkLineCount();
  log(
    `${quick ? 'quick' : 'full'} rehearsal: ${CLIENTS} clients, faults: ${schedule.map((f) => f.name).join(', ')}`,
  );
  const load = [...Array(CLIENTS).keys()].map((i) => client(tokens, i));
  const sampler = sampleLag();
  await sleep(quick ? 10_000 : 20_000);
  const baselineEnd = now();

  const results: {
    fault: string;
    goal: string;
    action: string;
    answers: Record<string, number>;
    secondsWithoutWrites: number;
    secondsWithoutProjection: number | null;
    projectionLagP99: number | null;
    alsoStopped: string[];
  }[] = [];
  for (const fault of schedule) {
    const before = appPids();
    const at = now();
    let action: string;
    try {
      action = await fault.inject();
    } catch (error) {
      action = `not injected: ${error instanceof Error ? error.message : String(error)}`;
    }
    log(`${fault.name}: ${action}`);
    await sleep(fault.observeMs);
    const end = now();
    // Service processes that ended during the window without being the one killed: a crash to look at.
    const crashed = [...before]
      .filter(([name, pid]) => pidOf(name) !== pid && !action.includes(`pid ${pid}`))
      .map(([name]) => name.replace(/^app-/, ''));
    if (crashed.length) log(`${fault.name}: !!! also stopped: ${crashed.join(', ')} (see their logs)`);
    log(`${fault.name}: restarting what was stopped (ops/ha/up.sh)`);
    if ((await up()) !== 0) log(`warning: ops/ha/up.sh failed; see ${HA_DIR}/logs/rehearsal-up.log`);
    await waitUntil('a healthy topology', healthy, 120_000);
    const window = lagSamples.filter((s) => s.at >= at && s.at <= end).map((s) => s.lag);
    results.push({
      fault: fault.name,
      goal: fault.goal,
      action,
      answers: statusCounts(at, end),
      secondsWithoutWrites: secondsWithoutWrites(at, end),
      secondsWithoutProjection: secondsWithoutProjection(at, end),
      projectionLagP99: p99(window),
      alsoStopped: crashed,
    });
    await sleep(quick ? 3_000 : 5_000);
  }
  const afterFaults = now();
  await sleep(quick ? 10_000 : 20_000);
  running = false;
  await Promise.all(load);
  await Promise.all([...reads]);
  const loadEnd = now();
  log('load stopped; waiting for the read models and the e-mails to settle');
  await waitUntil(
    'read models caught up',
    async () => {
      const p = await progress();
      return p !== undefined && p.checkpoint >= p.head;
    },
    120_000,
  );
  await sampler;
  await waitUntil(
    'every e-mail sent',
    async () => {
      const open = await withPrimary(async (c) =>
        Number(
          (
            await c.query(
              `SELECT count(*) AS n FROM notifications WHERE created_at >= $1 AND status IN ('queued', 'sending')`,
              [started],
            )
          ).rows[0].n,
        ),
      );
      return open === 0;
    },
    180_000,
  );
  await sleep(2000);

  log('checking the data');
  const logCheck = await checkLog();
  const verify = await checkVerify(tokens);
  const emails = await checkEmails(started, sinkOffset);
  const allAnswers = statusCounts(started.getTime(), loadEnd);
  const fiveHundreds = answersLog.filter(
    (a) => typeof a.status === 'number' && a.status >= 500 && a.status !== 503,
  ).length;
  const afterLag = p99(lagSamples.filter((s) => s.at >= afterFaults).map((s) => s.lag));
  const baselineLag = p99(lagSamples.filter((s) => s.at < baselineEnd).map((s) => s.lag));

  const report = {
    mode: quick ? 'quick' : 'full',
    startedAt: started.toISOString(),
    durationSeconds: Math.round((now() - started.getTime()) / 1000),
    clients: CLIENTS,
    eventStore: process.env.EVENTSTORE_CONNECTION_STRING ? 'EventStoreDB' : 'PostgreSQL',
    commands: { ...logCheck, abandoned },
    answers: allAnswers,
    answers5xxOtherThan503: fiveHundreds,
    faults: results,
    projectionLagP99: { beforeFaults: baselineLag, afterFaults: afterLag },
    verify,
    emails,
  };
  mkdirSync(resolve(args.output!, '..'), { recursive: true });
  writeFileSync(args.output!, `${JSON.stringify(report, null, 2)}\n`);

  const pad = (text: string | number | null, width: number) => String(text ?? '-').padEnd(width);
  console.log('');
  console.log(
    `Rehearsal (${report.mode}), ${report.durationSeconds} s, ${CLIENTS} clients through HAProxy, events in ${report.eventStore}`,
  );
  console.log(
    `${pad('fault', 22)}${pad('answers during the window', 42)}${pad('s w/o writes', 14)}${pad('s w/o proj.', 13)}${pad('lag p99', 9)}goal`,
  );
  for (const r of results) {
    const counts = Object.entries(r.answers)
      .map(([status, n]) => `${status}:${n}`)
      .join(' ');
    console.log(
      `${pad(r.fault, 22)}${pad(counts, 42)}${pad(r.secondsWithoutWrites.toFixed(1), 14)}${pad(r.secondsWithoutProjection?.toFixed(1) ?? null, 13)}${pad(r.projectionLagP99, 9)}${r.goal}`,
    );
    if (r.alsoStopped.length)
      console.log(`${pad('', 22)}!!! also stopped during the window: ${r.alsoStopped.join(', ')}`);
  }
  console.log('');
  console.log(
    `commands acknowledged ${logCheck.acknowledged}, lost ${logCheck.lost}, duplicated ${logCheck.duplicated}; refused and not retried ${abandoned.length}`,
  );
  console.log(
    `answers ${Object.entries(allAnswers)
      .map(([s, n]) => `${s}:${n}`)
      .join(' ')}`,
  );
  if (fiveHundreds > 0)
    console.log(`!!! ${fiveHundreds} answers were 5xx other than 503 — see the API logs in ${HA_DIR}/logs`);
  console.log(
    `projection lag p99 (events): before the faults ${baselineLag ?? '-'}, after ${afterLag ?? '-'}`,
  );
  console.log(
    `audit verify: ${verify.ok ? 'clean' : 'NOT CLEAN'} (${verify.problems} problems; read models ${verify.readModels})`,
  );
  console.log(
    `e-mails planned ${emails.planned}, delivered ${emails.delivered}, duplicated ${emails.duplicated}, lost ${emails.lost}` +
      (emails.deliveredButMarkedUnknown
        ? `; ${emails.deliveredButMarkedUnknown} delivered but marked "outcome unknown"`
        : '') +
      (emails.heldForOperator
        ? `\n!!! ${emails.heldForOperator} e-mails not delivered, listed as failed ("outcome unknown") for an operator to retry`
        : ''),
  );
  console.log(`written to ${args.output}`);

  const failed =
    logCheck.lost > 0 ||
    logCheck.duplicated > 0 ||
    emails.duplicated > 0 ||
    emails.lost > 0 ||
    // Not delivered is data loss for the run, even when listed for an operator to retry.
    emails.heldForOperator > 0 ||
    !verify.ok;
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(2);
  },
);
