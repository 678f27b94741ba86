import fastifyStatic from '@fastify/static';
import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ReadModelsModule } from '../read-models/read-models.module';
import { DevTokenController } from './dev-token.controller';

/** dist/dashboard, whether the API runs from its sources (tests, tsx) or from dist/ (npm start, the image). */
export function dashboardRoot(): string {
  const candidates = [
    resolve(__dirname, '../../../../dist/dashboard'),
    resolve(__dirname, '../../../dashboard'),
    join(process.cwd(), 'dist/dashboard'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

/** Paths the dashboard never answers: the API, the probes and the metrics keep their own 404s. */
const NOT_DASHBOARD = /^\/(?:api|health|metrics)(?:[/?]|$)/;

/** The dashboard's built assets at `/` (the API, health and metrics keep their own routes), and the dev sign-in. */
@Module({
  imports: [ReadModelsModule],
  controllers: [DevTokenController],
})
export class DashboardModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async onModuleInit(): Promise<void> {
    const root = dashboardRoot();
    // Not built (a test that does not need it): the API is served alone.
    if (!existsSync(join(root, 'index.html'))) return;
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    await fastify.register(fastifyStatic, {
      root,
      // A route for each file there is; anything else falls to the page below.
      wildcard: false,
      // Hashed file names under assets/ never change; index.html is looked at again every time.
      setHeaders: (reply, path) =>
        reply.header(
          'Cache-Control',
          /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
        ),
    });
    // The dashboard routes in the browser: any other page is its index.html.
    fastify.get('/*', (request, reply) =>
      NOT_DASHBOARD.test(request.url) ? reply.callNotFound() : reply.sendFile('index.html'),
    );
  }
}
