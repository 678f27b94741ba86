import autocannon from 'autocannon';
import { closedLoop } from './load';
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
export async function registerParties(api: Api, tag: number): Promise<[string, string]> {
  const us = await post<{ id: string }>(api, '/api/organizations', organization('US', tag));
  const fr = await post<{ id: string }>(api, '/api/organizations', organization('FR', tag));
  return [us.id, fr.id];
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

/** Suspends or resumes partnership `id`, whichever comes next for it (its state is tracked from the answers). */
export function suspendOrResume(id: string, onHold: boolean): { path: string; body: string } {
  return onHold
    ? { path: `/api/partnerships/${id}/resumption`, body: '{}' }
    : {
        path: `/api/partnerships/${id}/suspension`,
        body: '{"reason":"Budget review by the regional council"}',
      };
}

/**
 * What an answer says about a partnership's state. Only suspensions and resumptions follow the
 * proposal (revision 0), so an odd revision means on hold; a refusal names the state it found.
 */
function stateFrom(status: number, body: string): { id: string; onHold: boolean } | undefined {
  try {
    const answer = JSON.parse(body) as { id?: string; revision?: number; type?: string; instance?: string };
    if (status < 300 && answer.id !== undefined && answer.revision !== undefined) {
      return { id: answer.id, onHold: answer.revision % 2 === 1 };
    }
    const id = /^\/api\/partnerships\/([0-9a-f-]{36})\//.exec(answer.instance ?? '')?.[1];
    if (id && answer.type?.endsWith(':partnership.on_hold')) return { id, onHold: true };
    if (id && answer.type?.endsWith(':partnership.not_on_hold')) return { id, onHold: false };
  } catch {
    // Not JSON: nothing learnt.
  }
  return undefined;
}

/**
 * `connections` clients for `seconds`. Each request takes the partnership idle longest and suspends
 * it if active or resumes it if on hold; its answer puts it back in the queue with what it learnt
 * (requests cut off at the end of a round leave a partnership's state unknown until refused once).
 * No two requests touch the same partnership at once. Only 2xx answers count as commands.
 */
export async function commandLoad(
  api: Api,
  partnerships: readonly string[],
  onHold: Map<string, boolean>,
  connections: number,
  seconds: number,
): Promise<Sample & { failures: Record<string, number> }> {
  const idle = [...partnerships];
  let head = 0;
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
          return { ...request, ...suspendOrResume(id, onHold.get(id) ?? false) };
        },
        onResponse: (status, body) => {
          const learnt = stateFrom(status, body);
          if (learnt) {
            onHold.set(learnt.id, learnt.onHold);
            idle.push(learnt.id);
          }
          if (status >= 300) {
            const key = `${status} ${/problem:([a-z_.]+)/.exec(body)?.[1] ?? ''}`.trim();
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
