import { Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Seconds: from a fast read (a few ms) to a slow command on a loaded embedded store. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The route label of a request no API route matched: the dashboard's pages and files, unknown paths, bodies refused before routing. */
export const UNMATCHED_ROUTE = 'unmatched';

const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx', '6xx', '7xx', '8xx', '9xx'];

export type CommandOutcome = 'accepted' | 'refused' | 'failed';

/**
 * This application's Prometheus registry (its own, not prom-client's global one, so that several
 * applications in one process keep their figures apart) with the Node process metrics and the HTTP and
 * command instruments. The gauges read at scrape time are added by OperationalGauges.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  private readonly httpRequests = new Counter({
    name: 'passerelle_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status class',
    labelNames: ['method', 'route', 'status_class'] as const,
    registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: 'passerelle_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status class',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly commands = new Counter({
    name: 'passerelle_commands_total',
    help: 'Commands handled, by command type and outcome (accepted, refused: 4xx, failed: 5xx) with the problem type',
    labelNames: ['command', 'outcome', 'problem_type'] as const,
    registers: [this.registry],
  });
  private readonly commandDuration = new Histogram({
    name: 'passerelle_command_duration_seconds',
    help: 'Time to handle a command (load, decide, append), by command type and outcome',
    labelNames: ['command', 'outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The two instruments of each (method, route, status class) seen, bound once to their labels. */
  private readonly httpSeries = new Map<
    string,
    { requests: { inc(): void }; duration: { observe(seconds: number): void } }
  >();

  /**
   * Times every request until its answer is sent (or the client goes away). The route is the template the
   * router matched (`/api/partnerships/:id`), never the path itself.
   */
  readonly timeRequests = (fastify: FastifyInstance): void => {
    fastify.addHook('onRequest', (request, reply, done) => {
      const started = performance.now();
      // A response emits `close` once, whether it was sent in full or the connection went first.
      reply.raw.once('close', () => {
        const seconds = (performance.now() - started) / 1000;
        const method = request.method;
        const route = routeOf(request);
        const statusClass = STATUS_CLASSES[Math.floor(reply.raw.statusCode / 100)] ?? 'other';
        const key = `${method} ${statusClass} ${route}`;
        let series = this.httpSeries.get(key);
        if (series === undefined) {
          series = {
            requests: this.httpRequests.labels(method, route, statusClass),
            duration: this.httpDuration.labels(method, route, statusClass),
          };
          this.httpSeries.set(key, series);
        }
        series.requests.inc();
        series.duration.observe(seconds);
      });
      done();
    });
  };

  /** `problemType` is the answer's problem `type` (empty when accepted); `started` from process.hrtime.bigint(). */
  recordCommand(command: string, outcome: CommandOutcome, problemType: string, started: bigint): void {
    this.commands.inc({ command, outcome, problem_type: problemType });
    this.commandDuration.observe({ command, outcome }, secondsSince(started));
  }
}

/** The matched route's template; a catch-all (the dashboard's fallback to index.html) is not an API route. */
function routeOf(request: FastifyRequest): string {
  const route = request.is404 ? undefined : request.routeOptions.url;
  return typeof route === 'string' && !route.includes('*') ? route : UNMATCHED_ROUTE;
}

function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
