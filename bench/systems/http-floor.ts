import { Body, Controller, HttpCode, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
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

/**
 * The floor of the HTTP path on this machine: a NestJS application on Express with one route that
 * parses the JSON body and answers as a command would, with no authentication, validation, logging or
 * database. Whatever the command path costs above it is ours.
 */
export async function open(): Promise<BenchSystem> {
  const app = await NestFactory.create<NestExpressApplication>(EmptyModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    async info(): Promise<{ url: string; token: string }> {
      return { url: `http://127.0.0.1:${port}`, token: 'unused' };
    },
    close: () => app.close(),
  };
}
