import autocannon from 'autocannon';
import { closedLoop, openLoop } from './load';
import type { Sample } from './stats';

export interface Api {
  url: string;
  token: string;
}

export async function post<T>(api: Api, path: string, body: object): Promise<T> {
  const response = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

function organization(country: 'US' | 'FR', n: number) {
  return {
    name: `${country === 'US' ? 'Bench iHub' : 'Pôle Bench'} ${n}`,
    kind: country === 'US' ? 'ihub' : 'pole',
    country,
    region: country === 'US' ? 'California' : "Provence-Alpes-Côte d'Azur",
    sectors: ['blue_economy'],
    contacts: [
      {
        name: `Contact ${n}`,
        email: `contact-${n}@bench.example.${country === 'US' ? 'org' : 'fr'}`,
        language: country === 'US' ? 'en' : 'fr',
      },
    ],
  };
}

/** Registers a Californian and a French organisation over HTTP; returns their ids. */
export async function registerParties(
  api: Api,
  tag: number,
): Promise<{ parties: [string, string]; attendee: string }> {
  const us = organization('US', tag);
  const fr = organization('FR', tag);
  const usId = (await post<{ id: string }>(api, '/api/organizations', us)).id;
  const frId = (await post<{ id: string }>(api, '/api/organizations', fr)).id;
  return { parties: [usId, frId], attendee: us.contacts[0]!.email };
}

/** The body of a partnership proposal between `parties`. */
export function proposal(parties: readonly string[], index: number): object {
  return {
    title: `Bench partnership ${index}`,
    parties,
    sectors: ['blue_economy'],
    axes: ['business_development'],
  };
}

/** Proposes `count` partnerships between `parties` over HTTP, 16 at a time; returns their ids. */
export async function proposePartnerships(
  api: Api,
  parties: readonly string[],
  count: number,
): Promise<string[]> {
  const ids: string[] = new Array<string>(count);
  await closedLoop(16, count, async (index) => {
    ids[index] = (await post<{ id: string }>(api, '/api/partnerships', proposal(parties, index))).id;
  });
  return ids;
}

/** What the workload does next to a partnership, given what it last did. */
type Step = 'schedule' | 'suspend' | 'resume';
const NEXT: Record<Step, Step> = { schedule: 'suspend', suspend: 'resume', resume: 'schedule' };

/** The request for a step; meetings are a month ahead, with a contact of the Californian party. */
export function requestFor(id: string, step: Step, attendee: string): { path: string; body: string } {
  switch (step) {
    case 'schedule':
      return {
        path: `/api/partnerships/${id}/meetings`,
        body: JSON.stringify({
          startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
          timezone: 'America/Los_Angeles',
          attendees: [attendee],
        }),
      };
    case 'suspend':
      return {
        path: `/api/partnerships/${id}/suspension`,
        body: '{"reason":"Budget review by the regional council"}',
      };
    case 'resume':
      return { path: `/api/partnerships/${id}/resumption`, body: '{}' };
  }
}

/** The partnership an answer is about: its id on success, the request path in a problem. */
function partnershipOf(body: string): string | undefined {
  try {
    const answer = JSON.parse(body) as { id?: string; instance?: string };
    return answer.id ?? /^\/api\/partnerships\/([0-9a-f-]{36})\//.exec(answer.instance ?? '')?.[1];
  } catch {
    return undefined;
  }
}

/** Per partnership: the step last done, and the one in flight. */
export interface Workload {
  last: Map<string, Step>;
  attendee: string;
}

/**
 * `connections` clients for `seconds`. Each request takes the partnership idle longest and does its
 * next step in a cycle — schedule an introduction meeting, suspend, resume — so a third of the
 * commands need the organisations' facts and all are legal. No two requests touch the same
 * partnership at once. A refusal (a request cut off at the end of a round leaves a partnership's
 * state unknown) puts the partnership back in step with what the refusal says. Only 2xx answers
 * count as commands.
 */
export async function commandLoad(
  api: Api,
  partnerships: readonly string[],
  workload: Workload,
  connections: number,
  seconds: number,
): Promise<Sample & { failures: Record<string, number> }> {
  const idle = [...partnerships];
  let head = 0;
  const inFlight = new Map<string, Step>();
  const latenciesMs: number[] = [];
  const failures: Record<string, number> = {};
  const instance = autocannon({
    url: api.url,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const id = idle[head++]!;
          const step = NEXT[workload.last.get(id) ?? 'resume'];
          inFlight.set(id, step);
          return { ...request, ...requestFor(id, step, workload.attendee) };
        },
        onResponse: (status, body) => {
          const id = partnershipOf(body);
          const step = id && inFlight.get(id);
          if (!id || !step) return;
          inFlight.delete(id);
          idle.push(id);
          if (status < 300) workload.last.set(id, step);
          else {
            const code = /problem:([a-z_.]+)/.exec(body)?.[1] ?? '';
            // On hold: resume next. Not on hold: suspend next (after a schedule).
            if (code === 'partnership.on_hold') workload.last.set(id, 'suspend');
            if (code === 'partnership.not_on_hold') workload.last.set(id, 'schedule');
            const key = `${status} ${code}`.trim();
            failures[key] = (failures[key] ?? 0) + 1;
          }
        },
      },
    ],
  });
  (instance as unknown as NodeJS.EventEmitter).on(
    'response',
    (_client: unknown, _status: number, _bytes: number, ms: number) => latenciesMs.push(ms),
  );
  const result = await instance;
  const ok = result['2xx'];
  return {
    ops: ok,
    elapsedMs: result.duration * 1000,
    latenciesMs,
    failures: {
      ...failures,
      ...(result.errors ? { errors: result.errors } : {}),
      ...(result.timeouts ? { timeouts: result.timeouts } : {}),
    },
  };
}

/**
 * `connections` clients proposing partnerships between `parties` for `seconds`, each sending its next
 * proposal when the last is answered. Only 2xx answers count; every answer's latency is kept.
 */
export async function proposalLoad(
  api: Api,
  parties: readonly string[],
  connections: number,
  seconds: number,
): Promise<Sample & { failed: number }> {
  const latenciesMs: number[] = [];
  let index = 0;
  const instance = autocannon({
    url: api.url,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
    requests: [
      {
        path: '/api/partnerships',
        setupRequest: (request) => ({ ...request, body: JSON.stringify(proposal(parties, index++)) }),
      },
    ],
  });
  (instance as unknown as NodeJS.EventEmitter).on(
    'response',
    (_client: unknown, _status: number, _bytes: number, ms: number) => latenciesMs.push(ms),
  );
  const result = await instance;
  return {
    ops: result['2xx'],
    elapsedMs: result.duration * 1000,
    latenciesMs,
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

/** `total` proposals offered at a steady `perSecond` (an open loop); the latency of each answer. */
export async function proposalsAtRate(
  api: Api,
  parties: readonly string[],
  perSecond: number,
  total: number,
): Promise<Sample & { failed: number }> {
  let failed = 0;
  const sample = await openLoop(perSecond, total, async (index) => {
    const sent = performance.now();
    try {
      await post(api, '/api/partnerships', proposal(parties, index));
    } catch {
      failed += 1;
      return undefined;
    }
    return performance.now() - sent;
  });
  return { ...sample, failed };
}

/** What `proposalsAndVisibility` measured. */
export interface VisibilitySample extends Sample {
  /** From sending each proposal to its answer. */
  answeredMs: number[];
  /** Proposals that got no answer (refused connections, resets under overload). */
  failures: number;
}

/**
 * `total` proposals offered at a steady `perSecond` (an open loop) from this process, and for each,
 * once answered, the time until `visible` resolves for the position it answered: the latency recorded
 * is that wait. The client is not in the API process, so its own work (fetch, timers, garbage) neither
 * loads the server's event loop nor is counted as the server's latency.
 */
export async function proposalsAndVisibility(
  api: Api,
  parties: readonly string[],
  perSecond: number,
  total: number,
  visible: (position: number) => Promise<unknown>,
): Promise<VisibilitySample> {
  const answeredMs: number[] = [];
  let failures = 0;
  const sample = await openLoop(perSecond, total, async (index) => {
    const sent = performance.now();
    let position: number;
    try {
      ({ position } = await post<{ position: number }>(api, '/api/partnerships', proposal(parties, index)));
    } catch {
      failures += 1;
      return undefined;
    }
    const acknowledged = performance.now();
    answeredMs.push(acknowledged - sent);
    await visible(position);
    return performance.now() - acknowledged;
  });
  return { ...sample, answeredMs, failures };
}
