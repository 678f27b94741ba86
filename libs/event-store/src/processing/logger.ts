/** What a processor, and the code around it (projections, notifications), reports to. */
export interface ProcessorLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Warnings and errors to the console; progress messages dropped. */
export const consoleProcessorLogger: ProcessorLogger = {
  log: () => undefined,
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};

export const describeError = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
