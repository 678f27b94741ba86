import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { mintToken } from '@passerelle/application';
import { POSTGRES_URL } from './support/test-app';

/**
 * The service as a real process on PostgreSQL, killed with SIGKILL in the middle of a few thousand
 * concurrent commands, then started again: what was acknowledged must be there, once.
 */
const ROOT = join(__dirname, '..');
const COMMANDS = 3000;
const CONCURRENCY = 48;
/** Killed once this share of the commands has been acknowledged. */
const KILL_AFTER = 0.5;
const POOL = 20;
const JWT_SECRET = `crash-${randomBytes(24).toString('hex')}`;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

interface Sent {
  key: string;
  method: 'POST';
  path: string;
  body: Record<string, unknown>;
  /** The stream its events go to, when the answer names the id. */
  streamOf: (answer: Answer) => string;
  /** Events one execution appends. */
  events: number;
  outcome?: Answer | { error: string };
}

const isAnswer = (outcome: Sent['outcome']): outcome is Answer => !!outcome && 'status' in outcome;
const acknowledged = (c: Sent) => isAnswer(c.outcome) && c.outcome.status >= 200 && c.outcome.status < 300;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('crash: SIGKILL under load, then restart', () => {
  const build = mkdtempSync(join(tmpdir(), 'passerelle-crash-'));
  const dist = join(build, 'dist');
  const schema = `crash_${randomBytes(6).toString('hex')}`;
  let env: Record<string, string>;
  let base: string;
  let child: ChildProcess | undefined;
  let output = '';
  const tokens: Record<string, string> = {};
  const sql = new Client({ connectionString: POSTGRES_URL });

  function start(): ChildProcess {
    output = '';
    const started = spawn(
      process.execPath,
      ['-r', 'tsconfig-paths/register', join(dist, 'apps/api/src/main.js')],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_PATH: join(ROOT, 'node_modules'),
          TS_NODE_BASEURL: dist,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    started.stdout!.on('data', (chunk) => (output += chunk));
    started.stderr!.on('data', (chunk) => (output += chunk));
    return started;
  }

  async function healthy(process: ChildProcess): Promise<void> {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (process.exitCode !== null) throw new Error(`The service exited (${process.exitCode}):\n${output}`);
      const ok = await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`The service did not start:\n${output}`);
  }

  async function call(
    method: string,
    path: string,
    body: unknown,
    options: { role?: string; key?: string } = {},
  ): Promise<Answer> {
    const response = await fetch(base + path, {
      method,
      headers: {
        Authorization: `Bearer ${tokens[options.role ?? 'officer']}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(options.key ? { 'Idempotency-Key': options.key } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {} };
  }

  beforeAll(async () => {
    try {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', dist], {
        cwd: ROOT,
        stdio: 'pipe',
      });
    } catch (error) {
      // Type errors elsewhere in the tree still emit; only a missing entry point stops the test.
      if (!existsSync(join(dist, 'apps/api/src/main.js'))) throw error;
    }
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      DATABASE_URL: POSTGRES_URL,
      DATABASE_SCHEMA: schema,
      DATA_DIR: join(build, 'data'),
      DATA_KEY: randomBytes(32).toString('base64'),
      SIGNING_KEY: generateKeyPairSync('ed25519')
        .privateKey.export({ format: 'der', type: 'pkcs8' })
        .toString('base64'),
      JWT_SECRET,
      DEMO_DATA: 'false',
      RATE_LIMIT_PER_MINUTE: '0',
      SIGNED_HEAD_INTERVAL_SECONDS: '1',
      LOG_LEVEL: 'warn',
    };
    for (const role of ['admin', 'officer', 'auditor']) {
      tokens[role] = await mintToken(JWT_SECRET, { sub: `crash-${role}`, roles: [role as 'admin'] });
    }
    await sql.connect();
  }, 180_000);

  afterAll(async () => {
    child?.kill('SIGKILL');
    await sql.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await sql.end();
    rmSync(build, { recursive: true, force: true });
  }, 60_000);

  it('keeps every acknowledged command, answers every key as the first time, and verifies clean', async () => {
    child = start();
    await healthy(child);

    // Parties and a pool of partnerships that many commands will touch at once.
    const organization = async (country: 'US' | 'FR', n: string) => {
      const answer = await call('POST', '/api/organizations', {
        name: `Crash ${country} ${n}`,
        kind: country === 'US' ? 'ihub' : 'pole',
        country,
        region: country === 'US' ? 'California' : 'Occitanie',
        sectors: ['aerospace'],
        contacts: [
          { name: `Contact ${n}`, email: `c-${n}@example.${country.toLowerCase()}`, language: 'en' },
        ],
      });
      expect(answer.status).toBe(201);
      return answer.body.id as string;
    };
    const us = await organization('US', 'setup');
    const fr = await organization('FR', 'setup');
    const pool: string[] = [];
    for (let p = 0; p < POOL; p++) {
      const answer = await call('POST', '/api/partnerships', {
        title: `Pool ${p}`,
        parties: [us, fr],
        sectors: ['aerospace'],
        axes: ['investment'],
      });
      expect(answer.status).toBe(201);
      pool.push(answer.body.id as string);
    }

    const run = randomUUID().slice(0, 8);
    const commands: Sent[] = Array.from({ length: COMMANDS }, (_, i): Sent => {
      const key = `crash-${run}-${i}`;
      const kind = i % 10;
      if (kind < 4) {
        const country = i % 2 ? 'US' : 'FR';
        return {
          key,
          method: 'POST',
          path: '/api/organizations',
          body: {
            name: `Org ${run} ${i}`,
            kind: 'company',
            country,
            region: 'Somewhere',
            sectors: ['mobility'],
            contacts: [{ name: `Person ${i}`, email: `p${i}-${run}@example.org`, language: 'fr' }],
          },
          streamOf: (a) => `organization-${a.body.id}`,
          events: 2,
        };
      }
      if (kind < 7) {
        return {
          key,
          method: 'POST',
          path: '/api/partnerships',
          body: {
            title: `Deal ${i}`,
            parties: [us, fr],
            sectors: ['mobility'],
            axes: ['entrepreneurship_incubation'],
          },
          streamOf: (a) => `partnership-${a.body.id}`,
          events: 1,
        };
      }
      const id = pool[i % POOL]!;
      const suspend = i % 20 < 10;
      return {
        key,
        method: 'POST',
        path: `/api/partnerships/${id}/${suspend ? 'suspension' : 'resumption'}`,
        body: suspend ? { reason: `Pause ${i}` } : {},
        streamOf: () => `partnership-${id}`,
        events: 1,
      };
    });

    let next = 0;
    let acks = 0;
    let killedAt: number | undefined;
    const victim = child;
    const exited = new Promise((resolve) => victim.once('exit', resolve));
    const worker = async () => {
      while (killedAt === undefined && next < commands.length) {
        const command = commands[next++]!;
        try {
          command.outcome = await call(command.method, command.path, command.body, { key: command.key });
          if (acknowledged(command) && ++acks >= COMMANDS * KILL_AFTER && killedAt === undefined) {
            killedAt = Date.now();
            victim.kill('SIGKILL');
          }
        } catch (error) {
          command.outcome = {
            error: error instanceof Error ? `${error.message} ${String(error.cause ?? '')}` : String(error),
          };
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await exited;
    expect(killedAt).toBeDefined();

    const sent = commands.filter((c) => c.outcome !== undefined);
    const acked = sent.filter(acknowledged);
    const refused = sent.filter((c) => isAnswer(c.outcome) && c.outcome.status >= 400);
    const lost = sent.filter((c) => !isAnswer(c.outcome));
    expect(sent.filter((c) => isAnswer(c.outcome) && c.outcome.status >= 500)).toEqual([]);
    expect(refused.every((c) => (c.outcome as Answer).status === 409)).toBe(true);

    child = start();
    await healthy(child);

    // Every acknowledged command's last event is where its answer said, in its stream, under its key.
    const stored = await sql.query<{
      global_position: string;
      stream_id: string;
      stream_revision: string;
      key: string;
    }>(
      `SELECT global_position, stream_id, stream_revision, metadata ->> 'idempotencyKey' AS key
       FROM ${schema}.events WHERE metadata ->> 'idempotencyKey' LIKE $1`,
      [`crash-${run}-%`],
    );
    const byPosition = new Map(stored.rows.map((row) => [Number(row.global_position), row]));
    const perKey = new Map<string, number>();
    for (const row of stored.rows) perKey.set(row.key, (perKey.get(row.key) ?? 0) + 1);
    const missing = acked.filter((c) => {
      const answer = c.outcome as Answer;
      const row = byPosition.get(answer.body.position as number);
      return !(
        row &&
        row.key === c.key &&
        row.stream_id === c.streamOf(answer) &&
        Number(row.stream_revision) === answer.body.revision &&
        perKey.get(c.key) === c.events
      );
    });
    expect(missing.map((c) => ({ key: c.key, answer: c.outcome }))).toEqual([]);
    // Nothing is in the log twice, and nothing of a command that was never sent.
    expect(
      [...perKey.entries()].filter(([key, n]) => n > commands.find((c) => c.key === key)!.events),
    ).toEqual([]);
    expect([...perKey.keys()].filter((key) => !sent.some((c) => c.key === key))).toEqual([]);

    // Every key sent again, with its body: the acknowledged ones answer exactly as the first time.
    const replays = new Map<string, Answer>();
    let cursor = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (cursor < sent.length) {
          const command = sent[cursor++]!;
          replays.set(
            command.key,
            await call(command.method, command.path, command.body, { key: command.key }),
          );
        }
      }),
    );
    const changed = acked.filter((c) => JSON.stringify(replays.get(c.key)) !== JSON.stringify(c.outcome));
    expect(changed.map((c) => ({ key: c.key, first: c.outcome, replay: replays.get(c.key) }))).toEqual([]);
    expect([...replays.values()].filter((a) => a.status >= 500)).toEqual([]);
    // The commands whose fate the crash hid are settled by their replay, once.
    const afterReplay = await sql.query<{ key: string; n: string }>(
      `SELECT metadata ->> 'idempotencyKey' AS key, count(*) AS n FROM ${schema}.events
       WHERE metadata ->> 'idempotencyKey' LIKE $1 GROUP BY 1`,
      [`crash-${run}-%`],
    );
    const overCounted = afterReplay.rows.filter(
      (row) => Number(row.n) > commands.find((c) => c.key === row.key)!.events,
    );
    expect(overCounted).toEqual([]);

    // The read models catch up and equal a rebuild; chains and signed heads hold.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const status = await call('GET', '/api/projections', undefined, { role: 'admin' });
      const lagging = (status.body.projections as { lag: number }[]).filter((p) => p.lag > 0);
      if (lagging.length === 0) break;
      if (Date.now() > deadline) throw new Error(`Projections still behind: ${JSON.stringify(status.body)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const verify = await call('GET', '/api/audit/verify', undefined, { role: 'auditor' });
    expect({ ok: verify.body.ok, problems: verify.body.problems }).toEqual({ ok: true, problems: [] });
    const integrity = await call('GET', '/api/audit/integrity', undefined, { role: 'auditor' });
    expect(integrity.body).toEqual(expect.objectContaining({ ok: true, mismatches: 0 }));
    const heads = integrity.body.heads as { checked: number; failed: number };
    expect(heads.checked).toBeGreaterThan(0);

    console.log(
      [
        `crash: ${COMMANDS} commands planned, ${sent.length} sent with ${CONCURRENCY} at a time, SIGKILL after ${acks} acknowledgements`,
        `  acknowledged ${acked.length} (found ${acked.length - missing.length}), refused ${refused.length} (409), lost in the crash ${lost.length}`,
        `  replayed ${replays.size} keys: ${acked.length - changed.length}/${acked.length} acknowledged answered as the first time`,
        `  after restart: ${integrity.body.checkedEvents} events verified, ${heads.checked} signed heads checked, read models equal a rebuild`,
      ].join('\n'),
    );
  }, 600_000);
});
