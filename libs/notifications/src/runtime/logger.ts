export interface NotificationsLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const describeError = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** Sleeps, or returns early when the signal aborts. */
export const pause = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
