import { Logger as NestLogger, NestApplicationOptions, RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '@passerelle/config';
import { inForeground } from '@passerelle/database';
import { json, NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { Logger as PinoRoot } from 'pino';
import { AppModule } from './app.module';
import { openApiDocument } from './http/openapi';
import { sendProblem } from './http/problem.filter';
import { requestLogging, ROOT_LOGGER } from './http/request-logging';
import { refuseUnstorableText } from './http/storable-text';
import { validationPipe } from './http/validation';
import { Metrics } from './metrics/metrics';

/** Builds the whole application (used by main.ts and by the end-to-end tests). */
export async function createApp(
  config: AppConfig,
  options: NestApplicationOptions = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
    ...options,
  });
  app.useLogger(app.get(Logger));
  app.use(app.get(Metrics).httpMiddleware);
  app.use(requestLogging(app.get<PinoRoot>(ROOT_LOGGER)));
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.use(helmet());
  app.use(json({ limit: config.bodyLimit, type: ['application/json', 'application/*+json'] }));
  app.use(refuseUnstorableText);
  // Each request's queries go ahead of the background work's on the embedded store's one connection.
  // On PostgreSQL every query has a pooled connection of its own: the lane would change nothing, and
  // the context it carries would cost every promise the request creates.
  if (config.databaseUrl === undefined) {
    app.use((_request: Request, _response: Response, next: NextFunction) => inForeground(next));
  }
  const bodyErrors = new NestLogger('Body');
  app.use((error: unknown, request: Request, response: Response, next: NextFunction) => {
    if (response.headersSent) return next(error);
    sendProblem(response, request, error, bodyErrors);
  });
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
