import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
const current = new AsyncLocalStorage<FastifyRequest>();

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
 * Hooks numbering each request (`req.id`, as pino-http did), keeping it as the current request for the
 * lines logged while it is handled, and logging its completion as pino-http did ("request completed",
 * "request aborted", "request errored" with `res`, `responseTime` and, for a 5xx, `err`) — at `error` for a
 * 5xx, `warn` when it took SLOW_REQUEST_MS or more, `info` otherwise. So LOG_LEVEL=warn logs only failures
 * and slow requests. It does nothing a request would pay for unless a line can be written: with
 * LOG_LEVEL=silent only the number.
 */
export function requestLogging(logger: Logger, slowMs = SLOW_REQUEST_MS) {
  let nextId = 0;
  const silent = !logger.isLevelEnabled('fatal');
  return (fastify: FastifyInstance): void => {
    fastify.addHook('onRequest', (request, reply, done) => {
      (request as { id: unknown }).id = nextId = (nextId + 1) & 0x7fffffff;
      if (!silent && !UNLOGGED.test(request.url)) logCompletion(logger, slowMs, request, reply);
      done();
    });
    // The handler, its guards and interceptors run in this hook's continuation.
    if (!silent) fastify.addHook('preHandler', (request, _reply, done) => current.run(request, done));
  };
}

function logCompletion(logger: Logger, slowMs: number, request: FastifyRequest, reply: FastifyReply): void {
  const started = Date.now();
  const response = reply.raw;
  let logged = false;
  const complete = () => {
    if (logged) return;
    logged = true;
    const responseTime = Date.now() - started;
    const failed = response.statusCode >= 500;
    // An event stream lasts as long as its reader stays: long is not slow.
    const slow = responseTime >= slowMs && !isEventStream(reply);
    const level: Level = failed ? 'error' : slow ? 'warn' : 'info';
    if (!logger.isLevelEnabled(level)) return;
    const res = answered(reply);
    if (failed) {
      const err = new Error(`failed with status code ${response.statusCode}`);
      logger[level]({ req: request, res, err, responseTime }, 'request errored');
    } else {
      const done = !request.raw.readableAborted && response.writableEnded;
      logger[level]({ req: request, res, responseTime }, done ? 'request completed' : 'request aborted');
    }
  };
  response.once('finish', complete);
  response.once('close', complete);
}

/** The answer as pino's `res` serialiser reads it: headers set on the reply and on Node's response alike. */
function answered(reply: FastifyReply) {
  const response = reply.raw;
  return {
    headersSent: response.headersSent,
    statusCode: response.statusCode,
    getHeaders: () => ({ ...response.getHeaders(), ...reply.getHeaders() }),
  };
}

/**
 * Node keeps the headers given to writeHead (as Nest writes a live stream) where getHeader finds them only
 * when some were set before: securityHeaders sets some on every response.
 */
function isEventStream(reply: FastifyReply): boolean {
  const type = reply.raw.getHeader('content-type') ?? reply.getHeader('content-type');
  return typeof type === 'string' && type.startsWith('text/event-stream');
}
