import { NestApplicationOptions, RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '@passerelle/config';
import { inForeground } from '@passerelle/database';
import type { FastifyInstance } from 'fastify';
import { Logger } from 'nestjs-pino';
import { parse as parseQuery } from 'node:querystring';
import type { Logger as PinoRoot } from 'pino';
import { AppModule } from './app.module';
import { byteLimit, jsonBodies } from './http/body';
import { answerNotModified, securityHeaders } from './http/headers';
import { openApiDocument } from './http/openapi';
import { answerErrorsAsProblems } from './http/problem.filter';
import { requestLogging, ROOT_LOGGER } from './http/request-logging';
import { refuseUnstorableText } from './http/storable-text';
import { validationPipe } from './http/validation';
import { Metrics } from './metrics/metrics';

/** The application as the tests, the benchmarks and main.ts hold it. */
export type PasserelleApp = NestFastifyApplication;

/**
 * Nest's Fastify adapter, except that Nest does not set an error handler of its own after the routes:
 * every error raised outside a handler is answered by answerErrorsAsProblems, set before them (Fastify
 * would only warn that a second handler replaced the first in the same scope).
 */
class ApiAdapter extends FastifyAdapter {
  override setErrorHandler(): ReturnType<FastifyAdapter['setErrorHandler']> {
    return this.getInstance();
  }
}

/** Builds the whole application (used by main.ts and by the end-to-end tests); start it with initApp. */
export async function createApp(
  config: AppConfig,
  options: NestApplicationOptions = {},
): Promise<PasserelleApp> {
  const adapter = new ApiAdapter({
    bodyLimit: byteLimit(config.bodyLimit),
    // X-Forwarded-For is believed from a proxy on this machine only (the HA shape's HAProxy).
    trustProxy: 'loopback',
    // Repeated keys become arrays, nothing else is nested: the same reading as before, and as the DTOs expect.
    routerOptions: { querystringParser: (query: string) => parseQuery(query) },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
    ...options,
  });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  answerErrorsAsProblems(fastify);
  jsonBodies(fastify);
  app.get(Metrics).timeRequests(fastify);
  requestLogging(app.get<PinoRoot>(ROOT_LOGGER))(fastify);
  securityHeaders(fastify);
  answerNotModified(fastify);
  fastify.addHook('preHandler', refuseUnstorableText);
  // Each request's queries go ahead of the background work's on the embedded store's one connection.
  // On PostgreSQL every query has a pooled connection of its own: the lane would change nothing, and
  // the context it carries would cost every promise the request creates.
  if (config.databaseUrl === undefined) {
    fastify.addHook('preHandler', (_request, _reply, done) => inForeground(done));
  }
  app.setGlobalPrefix('api', {
    exclude: [
      { path: 'health', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(validationPipe);
  app.enableShutdownHooks();

  SwaggerModule.setup('api/docs', app, () => openApiDocument(app), {
    jsonDocumentUrl: 'api/docs/openapi.json',
  });
  return app;
}

/** Runs the modules' start-up and readies the routes: after it, the app answers requests (also without listen). */
export async function initApp(app: PasserelleApp): Promise<PasserelleApp> {
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
