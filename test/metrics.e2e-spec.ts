import { liveTables, projectionNamed } from '@passerelle/read-models';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Response } from 'supertest';
import { sqlOf } from './trust-support';
import { TestApp } from './support/test-app';

/** One sample line: the metric name, its labels, its value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"/;
const VALUE = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]Inf)$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * A strict reading of the Prometheus text format 0.0.4: HELP and TYPE lines, each family typed once and
 * before its samples, every sample of a typed family (a histogram's `_bucket`, `_sum`, `_count`), label
 * values with only the three escapes, numeric values, no series twice, a final newline. Throws on anything else.
 */
function parseExposition(text: string): Exposition {
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a newline');
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  const familyOf = (name: string): string | undefined => {
    if (types.has(name)) return name;
    const base = name.replace(/_(bucket|sum|count)$/, '');
    const type = types.get(base);
    return type === 'histogram' || (type === 'summary' && !name.endsWith('_bucket')) ? base : undefined;
  };
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, index) => {
      const fail = (why: string) => {
        throw new Error(`line ${index + 1}: ${why}: ${line}`);
      };
      if (line === '') return;
      if (line.startsWith('#')) {
        const [, keyword, name, rest] = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line) ?? [];
        if (!keyword) return; // an ordinary comment
        if (!METRIC_NAME.test(name!)) fail('bad metric name');
        if (keyword === 'TYPE') {
          if (!TYPES.has(rest!)) fail('unknown type');
          if (types.has(name!)) fail('typed twice');
          if (samples.some((sample) => familyOf(sample.name) === name)) fail('typed after its samples');
          types.set(name!, rest!);
        } else if (/\\(?![\\n])/.test(rest!)) fail('bad escape in HELP');
        return;
      }
      const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
      if (!name) return fail('no metric name');
      let rest = line.slice(name.length);
      const labels: Record<string, string> = {};
      if (rest.startsWith('{')) {
        rest = rest.slice(1);
        while (!rest.startsWith('}')) {
          const match = LABEL.exec(rest);
          if (!match) return fail('bad label');
          if (match[1]! in labels) fail('label twice');
          labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
          rest = rest.slice(match[0].length);
          if (rest.startsWith(',')) rest = rest.slice(1);
          else if (!rest.startsWith('}')) fail('labels not separated by commas');
        }
        rest = rest.slice(1);
      }
      const [value, timestamp, ...extra] = rest.trimStart().split(' ');
      if (!rest.startsWith(' ') || !value || !VALUE.test(value)) fail('bad value');
      if (extra.length > 0 || (timestamp !== undefined && !/^-?\d+$/.test(timestamp))) fail('bad timestamp');
      if (!familyOf(name)) fail('sample of no typed family');
      const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
      if (seen.has(key)) fail('series twice');
      seen.add(key);
      samples.push({ name, labels, value: Number(value!.replace('Inf', 'Infinity')) });
    });
  return { types, samples };
}

const sameLabels = (a: Record<string, string>, b: Record<string, string>) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/** The value of one series (labels exactly as given), 0 when it is not there. */
function valueOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  return exposition.samples.find((s) => s.name === name && sameLabels(s.labels, labels))?.value ?? 0;
}

/** Every series of a name whose labels include the given ones. */
function seriesOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return exposition.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
}

const PROJECTIONS = ['organizations', 'partnerships', 'activity', 'streams'];

describe('Operations: /metrics and readiness', () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await TestApp.start();
  });
  afterAll(() => ctx.close());

  async function scrape(): Promise<Exposition> {
    const response = await ctx.http().get('/metrics').expect(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    return parseExposition(response.text);
  }

  it('counts commands by type and outcome, requests by route template, and exposes positions, lag and notifications', async () => {
    const officer = ctx.as('officer');
    const before = await scrape();
    const { id, us, fr } = await ctx.newPartnership();
    // A meeting ahead: invitations to both contacts are planned.
    const { body: result } = await officer
      .post(`/api/partnerships/${id}/meetings`, {
        startsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
        attendees: [us.contacts[0]!.email, fr.contacts[0]!.email],
      })
      .expect(201);
    const refused = await officer.post(`/api/partnerships/${id}/resumption`).expect(409);
    const problemType = refused.body.type as string;
    expect(problemType).toMatch(/^urn:passerelle:problem:/);
    // Invalid input never reaches the command bus: an HTTP 4xx, not a command.
    await officer.post(`/api/partnerships/${id}/suspension`, {}).expect(400);
    await officer.get(`/api/partnerships/${id}?minPosition=${result.position}`).expect(200);
    await officer.get(`/api/nowhere/${randomUUID()}`).expect(404);
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string>) =>
      valueOf(after, name, labels) - valueOf(before, name, labels);
    const commands = 'passerelle_commands_total';
    expect(after.types.get(commands)).toBe('counter');
    expect(delta(commands, { command: 'RegisterOrganization', outcome: 'accepted', problem_type: '' })).toBe(
      2,
    );
    expect(delta(commands, { command: 'ProposePartnership', outcome: 'accepted', problem_type: '' })).toBe(1);
    expect(
      delta(commands, { command: 'ScheduleIntroductionMeeting', outcome: 'accepted', problem_type: '' }),
    ).toBe(1);
    expect(
      delta(commands, { command: 'ResumePartnership', outcome: 'refused', problem_type: problemType }),
    ).toBe(1);
    const total = (exposition: Exposition) =>
      seriesOf(exposition, commands).reduce((sum, sample) => sum + sample.value, 0);
    expect(total(after) - total(before)).toBe(5);
    expect(after.types.get('passerelle_command_duration_seconds')).toBe('histogram');
    expect(
      delta('passerelle_command_duration_seconds_count', {
        command: 'ResumePartnership',
        outcome: 'refused',
      }),
    ).toBe(1);

    const requests = 'passerelle_http_requests_total';
    const route = (method: string, path: string, statusClass: string) => ({
      method,
      route: path,
      status_class: statusClass,
    });
    expect(delta(requests, route('POST', '/api/organizations', '2xx'))).toBe(2);
    expect(delta(requests, route('POST', '/api/partnerships', '2xx'))).toBe(1);
    expect(delta(requests, route('POST', '/api/partnerships/:id/meetings', '2xx'))).toBe(1);
    expect(delta(requests, route('POST', '/api/partnerships/:id/resumption', '4xx'))).toBe(1);
    expect(delta(requests, route('POST', '/api/partnerships/:id/suspension', '4xx'))).toBe(1);
    expect(delta(requests, route('GET', '/api/partnerships/:id', '2xx'))).toBe(1);
    expect(delta(requests, route('GET', 'unmatched', '4xx'))).toBe(1);
    expect(valueOf(after, requests, route('GET', '/metrics', '2xx'))).toBeGreaterThanOrEqual(1);
    // The histogram counts the same requests; its +Inf bucket holds them all.
    const timed = route('POST', '/api/partnerships/:id/resumption', '4xx');
    expect(valueOf(after, 'passerelle_http_request_duration_seconds_count', timed)).toBe(
      valueOf(after, requests, timed),
    );
    expect(valueOf(after, 'passerelle_http_request_duration_seconds_bucket', { ...timed, le: '+Inf' })).toBe(
      valueOf(after, requests, timed),
    );
    // Templates only: no id of any kind in any label.
    const labelValues = after.samples.flatMap((sample) => Object.values(sample.labels));
    expect(labelValues.filter((value) => UUID.test(value))).toEqual([]);

    // The log, the read models and the dispatcher, read at scrape time.
    const head = valueOf(after, 'passerelle_event_store_head_position');
    expect(head).toBeGreaterThanOrEqual(result.position);
    for (const projection of [...PROJECTIONS, 'notification_dispatcher']) {
      const [checkpoint] = seriesOf(after, 'passerelle_projection_checkpoint_position', { projection });
      const [lag] = seriesOf(after, 'passerelle_projection_lag_events', { projection });
      expect({ projection, checkpoint: checkpoint?.value, lag: lag?.value }).toEqual({
        projection,
        checkpoint: expect.any(Number),
        lag: expect.any(Number),
      });
      expect(lag!.value).toBe(Math.max(head - checkpoint!.value, 0));
      if (PROJECTIONS.includes(projection)) expect(checkpoint!.value).toBeGreaterThanOrEqual(result.position);
    }

    // Notifications by status: once the dispatcher has planned this partnership's e-mails, they add up to
    // what the notifications endpoint counts.
    let exposition = after;
    const deadline = Date.now() + 20_000;
    while (
      valueOf(exposition, 'passerelle_projection_checkpoint_position', {
        projection: 'notification_dispatcher',
      }) < result.position &&
      Date.now() < deadline
    ) {
      await sleep(100);
      exposition = await scrape();
    }
    const byStatus = seriesOf(exposition, 'passerelle_notifications');
    expect(byStatus.map((sample) => sample.labels.status).sort()).toEqual(
      ['failed', 'queued', 'sending', 'sent', 'skipped'].sort(),
    );
    const listed = await officer.get('/api/notifications').expect(200);
    expect(listed.body.total).toBeGreaterThanOrEqual(2);
    expect(byStatus.reduce((sum, sample) => sum + sample.value, 0)).toBe(listed.body.total);

    // The Node process itself.
    expect(after.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(seriesOf(after, 'nodejs_heap_size_used_bytes')).toHaveLength(1);
    expect(valueOf(after, 'passerelle_metrics_collect_failures_total', { source: 'read_models' })).toBe(0);
  });

  it('is public, like the health checks', async () => {
    await ctx.http().get('/metrics').expect(200);
    await ctx.http().get('/api/metrics').expect(404);
  });

  it('reports each projection with its checkpoint, the head and the lag in readiness', async () => {
    const { result } = await ctx.newPartnership();
    await ctx.as('viewer').get(`/api/partnerships?minPosition=${result.position}`).expect(200);
    const ready = await ctx.http().get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
    const readModels = ready.body.details.readModels;
    expect(readModels).toMatchObject({ status: 'up', head: expect.any(Number), lag: expect.any(Number) });
    expect(readModels.head).toBeGreaterThanOrEqual(result.position);
    expect(Object.keys(readModels.projections).sort()).toEqual([...PROJECTIONS].sort());
    for (const projection of PROJECTIONS) {
      const standing = readModels.projections[projection];
      expect(standing).toMatchObject({
        position: expect.any(Number),
        lag: expect.any(Number),
        version: expect.any(Number),
        storedVersion: standing.version,
        activeHere: true,
        lastError: null,
      });
      expect(standing.position).toBeGreaterThanOrEqual(result.position);
      expect(standing.lag).toBe(Math.max(readModels.head - standing.position, 0));
    }
    expect(ready.body.details.eventStore.status).toBe('up');
    expect(ready.body.details.notifications.status).toBe('up');
  });

  it('is not ready while the read-model database cannot be queried, and says so in the metrics too', async () => {
    const sql = sqlOf(ctx);
    await sql.query('ALTER TABLE projection_checkpoints RENAME TO projection_checkpoints_away');
    try {
      const notReady = await ctx.http().get('/health/ready').expect(503);
      expect(notReady.body.type).toBe('urn:passerelle:problem:not_ready');
      const readModels = notReady.body.checks.details.readModels;
      expect(readModels.status).toBe('down');
      expect(readModels.message).toMatch(/^read-model database: /);
      expect(notReady.body.checks.details.eventStore.status).toBe('up');

      const exposition = await scrape();
      expect(seriesOf(exposition, 'passerelle_projection_lag_events')).toEqual([]);
      expect(seriesOf(exposition, 'passerelle_projection_checkpoint_position')).toEqual([]);
      expect(
        valueOf(exposition, 'passerelle_metrics_collect_failures_total', { source: 'read_models' }),
      ).toBeGreaterThanOrEqual(1);
      expect(valueOf(exposition, 'passerelle_event_store_head_position')).toBeGreaterThan(0);
    } finally {
      await sql.query('ALTER TABLE projection_checkpoints_away RENAME TO projection_checkpoints');
    }
    // Ready again once the projections follow the log again (a runner that failed meanwhile retries).
    const deadline = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await ctx.http().get('/health/ready')).status;
      if (status === 200) break;
      await sleep(200);
    }
    expect(status).toBe(200);
  });

  it('is not ready while a projection fails, and ready again once it recovers and catches up', async () => {
    const sql = sqlOf(ctx);
    const officer = ctx.as('officer');
    const { id } = await ctx.newPartnership();
    // The streams projection can no longer write a row: the next event fails its batch.
    const [{ generation }] = (await sql.query<{ generation: number }>(
      "SELECT generation FROM projection_checkpoints WHERE name = 'streams'",
    )) as [{ generation: number }];
    const table = liveTables(projectionNamed('streams')!, generation).streams!;
    await sql.query(`ALTER TABLE ${table} ADD CONSTRAINT refuse_writes CHECK (false) NOT VALID`);
    let failing: Response | undefined;
    let suspended: { position: number } | undefined;
    try {
      ({ body: suspended } = await officer
        .post(`/api/partnerships/${id}/suspension`, { reason: 'Budget review' })
        .expect(200));
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        const response = await ctx.http().get('/health/ready');
        if (response.status === 503) {
          failing = response;
          break;
        }
        await sleep(50);
      }
      expect(failing?.status).toBe(503);
      const readModels = failing!.body.checks.details.readModels;
      expect(readModels.status).toBe('down');
      expect(readModels.message).toMatch(/^streams: /);
      expect(readModels.projections.streams.lastError).toEqual(expect.any(String));
      expect(readModels.projections.streams.position).toBeLessThan(suspended!.position);
      expect(readModels.projections.streams.lag).toBeGreaterThan(0);
      expect(readModels.projections.activity.lastError).toBeNull();
    } finally {
      await sql.query(`ALTER TABLE ${table} DROP CONSTRAINT refuse_writes`);
    }
    const deadline = Date.now() + 45_000;
    let ready = await ctx.http().get('/health/ready');
    while (ready.status !== 200 && Date.now() < deadline) {
      await sleep(200);
      ready = await ctx.http().get('/health/ready');
    }
    expect(ready.status).toBe(200);
    expect(ready.body.details.readModels.projections.streams.lastError).toBeNull();
    await officer.get(`/api/partnerships/${id}?minPosition=${suspended!.position}`).expect(200);
    const caughtUp = await ctx.http().get('/health/ready').expect(200);
    expect(caughtUp.body.details.readModels.projections.streams.position).toBeGreaterThanOrEqual(
      suspended!.position,
    );
  });
});
