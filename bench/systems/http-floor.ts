import { Body, Controller, HttpCode, Module, Param, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import type { BenchSystem } from './types';

/** The answer a command gives, without doing anything. */
@Controller('api/partnerships/:id')
class EmptyCommandsController {
  private position = 0;

  @Post([':kind', ':kind/:item/:action'])
  @HttpCode(201)
  command(
    @Param('id') id: string,
    @Body() body: unknown,
  ): { id: string; revision: number; position: number } {
    void body;
    this.position += 1;
    return { id, revision: 1, position: this.position };
  }
}

@Module({ controllers: [EmptyCommandsController] })
class EmptyModule {}

/** Which of Nest's HTTP adapters serves the empty route. */
export type HttpAdapter = 'express' | 'fastify';

async function create(adapter: HttpAdapter): Promise<INestApplication> {
  if (adapter === 'express') return NestFactory.create(EmptyModule, { logger: false });
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  return NestFactory.create(EmptyModule, new FastifyAdapter(), { logger: false });
}

/**
 * The floor of the HTTP path on this machine: a NestJS application with one route that parses the
 * JSON body and answers as a command would, with no authentication, validation, logging or database.
 * Whatever the command path costs above it is ours. On Express (the application's adapter) by
 * default; on Fastify to measure what changing the adapter could save.
 */
export async function open(params: { adapter?: HttpAdapter } = {}): Promise<BenchSystem> {
  const app = await create(params.adapter ?? 'express');
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    async info(): Promise<{ url: string; token: string }> {
      return { url: `http://127.0.0.1:${port}`, token: 'unused' };
    },
    /** This process's CPU time so far (user + system), to price a request. */
    async counters(): Promise<{ statements: number; cpuMs: number }> {
      const { user, system } = process.cpuUsage();
      return { statements: 0, cpuMs: (user + system) / 1000 };
    },
    close: () => app.close(),
  };
}
