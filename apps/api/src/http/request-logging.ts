import type { NextFunction, Request, Response } from 'express';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createProcessLogger } from '@passerelle/application';
import { stdSerializers, type DestinationStream, type Level, type Logger } from 'pino';

/** The application's pino logger (createLogger), for requestLogging. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** A request answered in this many milliseconds or more is logged at `warn`. */
export const SLOW_REQUEST_MS = 1000;

/** Requests never logged when they complete: probes and scrapes. */
const UNLOGGED = /^\/(health|metrics)(?:[/?]|$)/;

/** The request whose work is running, for the log lines written meanwhile. */
const current = new AsyncLocalStorage<Request>();

/**
 * The API's logger: the process logger (createProcessLogger) with pino-http's serialisers for `req`,
 * `res` and `err`, and every line written while a request is handled carries that request as `req`, as
 * the child logger pino-http made for each request did. Nothing is serialised until a line is written.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return createProcessLogger(
    'api',
    level,
    {
      serializers: { req: stdSerializers.req, res: stdSerializers.res, err: stdSerializers.err },
      mixin: () => {
        const request = current.getStore();
        return request ? { req: request } : {};
      },
    },
    destination,
  );
}

/**
 * Express middleware: numbers each request (`req.id`, as pino-http did), keeps it as the current request
 * for the lines logged while it is handled, and logs its completion as pino-http did ("request
 * completed", "request aborted", "request errored" with `res`, `responseTime` and, for a 5xx, `err`) —
 * at `error` for a 5xx, `warn` when it took SLOW_REQUEST_MS or more, `info` otherwise. So LOG_LEVEL=warn
 * logs only failures and slow requests. It does nothing a request would pay for unless a line can be
 * written: with LOG_LEVEL=silent only the number.
 */
export function requestLogging(logger: Logger, slowMs = SLOW_REQUEST_MS) {
  let nextId = 0;
  const silent = !logger.isLevelEnabled('fatal');
  return (request: Request, response: Response, next: NextFunction): void => {
    request.id ??= nextId = (nextId + 1) & 0x7fffffff;
    if (silent) return next();
    if (!UNLOGGED.test(request.url)) {
      const started = Date.now();
      let logged = false;
      const complete = () => {
        if (logged) return;
        logged = true;
        const responseTime = Date.now() - started;
        const failed = response.statusCode >= 500;
        // An event stream lasts as long as its reader stays: long is not slow.
        const slow = responseTime >= slowMs && !isEventStream(response);
        const level: Level = failed ? 'error' : slow ? 'warn' : 'info';
        if (!logger.isLevelEnabled(level)) return;
        if (failed) {
          const err = new Error(`failed with status code ${response.statusCode}`);
          logger[level]({ req: request, res: response, err, responseTime }, 'request errored');
        } else {
          const done = !request.readableAborted && response.writableEnded;
          logger[level](
            { req: request, res: response, responseTime },
            done ? 'request completed' : 'request aborted',
          );
        }
      };
      response.once('finish', complete);
      response.once('close', complete);
    }
    current.run(request, next);
  };
}

function isEventStream(response: Response): boolean {
  const type = response.getHeader('content-type');
  return typeof type === 'string' && type.startsWith('text/event-stream');
}
