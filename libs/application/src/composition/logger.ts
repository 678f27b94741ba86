/** Where the composition root reports what it opened (Nest's Logger, pino, or nothing). */
export interface CompositionLogger {
  log(message: string): void;
  warn(message: string): void;
}
