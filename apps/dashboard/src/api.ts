import type { CommandResult, Problem } from './types';

/** An answer other than 2xx, with its RFC 9457 body when the API sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title);
  }

  /** Validation messages by field (`attendees.0` and `attendees` both land on `attendees`). */
  fieldErrors(): Record<string, string[]> {
    const byField: Record<string, string[]> = {};
    for (const { field, messages } of this.problem.errors ?? []) {
      const key = field.split('.')[0] ?? field;
      (byField[key] ??= []).push(...messages);
    }
    return byField;
  }
}

type Query = Record<string, string | number | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}${path.includes('?') ? '&' : '?'}${search}` : path;
}

let token: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function useToken(value: string | null, unauthorized?: () => void): void {
  token = value;
  onUnauthorized = unauthorized ?? null;
}

async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    return { type: 'about:blank', title: response.statusText, status: response.status, ...body };
  } catch {
    return {
      type: 'about:blank',
      title: response.statusText || `HTTP ${response.status}`,
      status: response.status,
      detail: text.slice(0, 300),
    };
  }
}

export async function request<T>(
  method: string,
  path: string,
  options: { body?: unknown; signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
  if (!response.ok) {
    const problem = await problemOf(response);
    if (response.status === 401 && token) onUnauthorized?.();
    throw new ApiError(response.status, problem);
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const get = <T>(path: string, query?: Query, signal?: AbortSignal) =>
  request<T>('GET', withQuery(path, query), { signal });

/** A command; a fresh Idempotency-Key makes a retried click harmless. */
export const command = (path: string, body: unknown) =>
  request<CommandResult>('POST', path, { body, headers: { 'Idempotency-Key': crypto.randomUUID() } });

export const currentToken = () => token;
