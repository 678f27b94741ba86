import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';
import { live, LiveMessage, LiveStatus } from './live';

export interface Loaded<T> {
  data: T | null;
  error: ApiError | Error | null;
  loading: boolean;
  reload(): void;
}

/** Runs `load` when `deps` change (and on reload), keeping the last data while a new load runs. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | Error | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const loader = useRef(load);
  loader.current = load;
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    loader
      .current(controller.signal)
      .then((data) => !controller.signal.aborted && setState({ data, error: null, loading: false }))
      .catch((error: Error) => {
        if (controller.signal.aborted || error.name === 'AbortError') return;
        setState((s) => ({ data: s.data, error, loading: false }));
      });
    return () => controller.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

export function useLive(listener: (message: LiveMessage) => void): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => live.listen((message) => ref.current(message)), []);
}

export function useLiveStatus(): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>(live.status);
  useEffect(() => live.watchStatus(setStatus), []);
  return status;
}

/** The hash route: `#/`, `#/where`, `#/now`, `#/partnerships/<id>`, with its query string. */
export interface Route {
  path: string[];
  query: URLSearchParams;
}

const parseHash = (): Route => {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path = '/', search = ''] = raw.split('?');
  return {
    path: path.split('/').filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(search),
  };
};

export function useRoute(): Route {
  const [route, setRoute] = useState(parseHash);
  useEffect(() => {
    const update = () => setRoute(parseHash());
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

export const href = (path: string, query: Record<string, string | undefined> = {}): string => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  const search = params.toString();
  return `#${path}${search ? `?${search}` : ''}`;
};

/** Replaces the query of the current route without adding a history entry per keystroke. */
export const replaceQuery = (path: string, query: Record<string, string | undefined>) => {
  history.replaceState(null, '', href(path, query));
  dispatchEvent(new HashChangeEvent('hashchange'));
};
