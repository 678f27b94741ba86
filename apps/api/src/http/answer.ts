import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';

/** A request as the controllers, guards and interceptors see it (Fastify's). */
export type HttpRequest = FastifyRequest;

/** The answer a controller sets headers on (`@Res({ passthrough: true })`) or sends itself (`@Res()`). */
export type Answer = FastifyReply;

/** One request header's value, the first if it was sent more than once; undefined when absent. */
export function headerOf(request: HttpRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The request's path without its query: the target a command's id and hash are derived from. */
export function pathOf(request: HttpRequest): string {
  const query = request.url.indexOf('?');
  return query === -1 ? request.url : request.url.slice(0, query);
}

/**
 * Streams records as JSON Lines, an attachment named `filename`. The stream is read as the client takes it
 * (backpressure), stops when the client goes away, and a failure after the first line cuts the connection
 * so the file is visibly incomplete; a failure before it is answered as a problem.
 */
export function sendJsonLines(answer: Answer, filename: string, records: AsyncIterable<unknown>): Answer {
  async function* lines(): AsyncGenerator<string> {
    for await (const record of records) yield `${JSON.stringify(record)}\n`;
  }
  return answer
    .status(200)
    .header('Content-Type', 'application/jsonl; charset=utf-8')
    .header('Content-Disposition', `attachment; filename="${filename}"`)
    .send(Readable.from(lines(), { objectMode: false }));
}
