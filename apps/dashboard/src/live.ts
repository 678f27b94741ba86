import { currentToken } from './api';

export interface LiveMessage {
  event: string;
  data: string;
  id: string | null;
}

export type LiveStatus = 'connecting' | 'open' | 'retrying';

/**
 * Server-sent events read with fetch, so the bearer token travels in the Authorization header (an
 * EventSource cannot send one). Reconnects with back-off and resumes from the last event id.
 */
export function subscribe(
  url: string,
  onMessage: (message: LiveMessage) => void,
  onStatus: (status: LiveStatus) => void = () => undefined,
): () => void {
  const controller = new AbortController();
  let lastEventId: string | null = null;
  let retryMs = 1000;
  let stopped = false;

  const run = async () => {
    while (!stopped) {
      onStatus('connecting');
      try {
        const headers: Record<string, string> = { Accept: 'text/event-stream' };
        const token = currentToken();
        if (token) headers.Authorization = `Bearer ${token}`;
        if (lastEventId) headers['Last-Event-ID'] = lastEventId;
        const response = await fetch(url, { headers, signal: controller.signal, cache: 'no-store' });
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        onStatus('open');
        retryMs = 1000;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n?/g, '\n');
          let boundary: number;
          while ((boundary = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, boundary);
            buffer = buffer.slice(boundary + 2);
            const message = parseFrame(frame);
            if (message.retry !== null) retryMs = message.retry;
            if (message.id !== null) lastEventId = message.id;
            if (message.data !== null)
              onMessage({ event: message.event, data: message.data, id: message.id });
          }
        }
      } catch (error) {
        if (stopped) return;
        void error;
      }
      if (stopped) return;
      onStatus('retrying');
      await new Promise((resolve) => setTimeout(resolve, retryMs));
      retryMs = Math.min(retryMs * 2, 30_000);
    }
  };
  void run();
  return () => {
    stopped = true;
    controller.abort();
  };
}

function parseFrame(frame: string): {
  event: string;
  data: string | null;
  id: string | null;
  retry: number | null;
} {
  let event = 'message';
  const data: string[] = [];
  let id: string | null = null;
  let retry: number | null = null;
  for (const line of frame.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
  }
  return { event, data: data.length ? data.join('\n') : null, id, retry };
}

type Listener = (message: LiveMessage) => void;

/** One stream for the whole page; views listen to it while they are shown. */
export class LiveHub {
  private readonly listeners = new Set<Listener>();
  private readonly statusListeners = new Set<(status: LiveStatus) => void>();
  private stop: (() => void) | null = null;
  status: LiveStatus = 'connecting';

  start(url: string): void {
    this.stop?.();
    this.stop = subscribe(
      url,
      // Heartbeats (`event: heartbeat`) only keep the connection open; changes are plain messages.
      (message) => {
        if (message.event === 'message') this.listeners.forEach((listener) => listener(message));
      },
      (status) => {
        this.status = status;
        this.statusListeners.forEach((listener) => listener(status));
      },
    );
  }

  close(): void {
    this.stop?.();
    this.stop = null;
  }

  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  watchStatus(listener: (status: LiveStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }
}

export const live = new LiveHub();

/** What a change announces: the event's position and type, and the partnership or organisation it concerns. */
export interface Change {
  position: number;
  type: string;
  partnershipId: string | null;
  organizationId: string | null;
}

export function changeOf(message: LiveMessage): Change | null {
  try {
    const value = JSON.parse(message.data) as Partial<Change>;
    return typeof value === 'object' && value !== null && typeof value.type === 'string'
      ? {
          position: Number(value.position ?? 0),
          type: value.type,
          partnershipId: value.partnershipId ?? null,
          organizationId: value.organizationId ?? null,
        }
      : null;
  } catch {
    return null;
  }
}
