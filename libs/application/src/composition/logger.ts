import { pino, stdSerializers, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/** Where the composition root reports what it opened (Nest's Logger, pino, or nothing). */
export interface CompositionLogger {
  log(message: string): void;
  warn(message: string): void;
}

/** What a process may add to its logger: the API adds the request being handled to every line. */
export type ProcessLoggerOptions = Pick<LoggerOptions, 'mixin' | 'serializers'>;

/**
 * The one logger setup of every Passerelle process (the API, the projector, the worker): pino, one JSON
 * line per entry on standard output (or `destination`), at LOG_LEVEL, named after the process, errors
 * serialised with their stack and cause, and a request's authorization header redacted wherever one is
 * logged. Nest's own lines reach it through nestjs-pino (the API and the worker).
 */
export function createProcessLogger(
  name: 'api' | 'projector' | 'worker',
  level: string,
  options: ProcessLoggerOptions = {},
  destination?: DestinationStream,
): Logger {
  const settings: LoggerOptions = {
    name,
    level,
    redact: ['req.headers.authorization'],
    ...options,
    serializers: { err: stdSerializers.err, ...options.serializers },
  };
  return destination ? pino(settings, destination) : pino(settings);
}
