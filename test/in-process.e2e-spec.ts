import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { loadConfig } from '@passerelle/config';
import { NOTIFICATION_STORE, NotificationStore } from '@passerelle/notifications';
import { Projector, startProjector } from '../apps/projector/src/projector';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { ReadModels } from '../apps/api/src/read-models/read-models.service';
import { TestApp } from './support/test-app';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * IN_PROCESS=none: an API replica that serves HTTP only, beside apps/projector and apps/worker. Commands
 * are taken at once; the read models and e-mails follow only once those processes run.
 */
describe('an API replica with IN_PROCESS=none', () => {
  let ctx: TestApp;
  let projector: Projector | undefined;
  let worker: INestApplicationContext | undefined;

  beforeAll(async () => {
    ctx = await TestApp.start({ postgres: true, env: { IN_PROCESS: 'none' } });
  });

  afterAll(async () => {
    await projector?.close();
    await worker?.close();
    await ctx.close();
  });

  it('takes commands but neither projects nor sends until the projector and the worker run', async () => {
    const { id, us } = await ctx.newPartnership();
    const meeting = await ctx
      .as('officer')
      .post(`/api/partnerships/${id}/meetings`, {
        startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
        attendees: [us.contacts[0]!.email],
      })
      .expect(201);
    const position = meeting.body.position as number;

    const readModels = ctx.app.get(ReadModels);
    expect(readModels.runner.status().every((status) => !status.active)).toBe(true);
    expect(await readModels.waitForPosition(position, 1500)).toBe(false);
    await ctx.as('viewer').get(`/api/partnerships/${id}`).expect(404);
    // The position is in the log but no projection has processed it: 503 after the 5 s wait.
    const behind = await ctx.as('viewer').get(`/api/partnerships/${id}?minPosition=${position}`).expect(503);
    expect(behind.headers['retry-after']).toBe('1');
    expect(behind.body).toMatchObject({
      type: 'urn:passerelle:problem:read_model_behind',
      minPosition: position,
    });
    const mail = ctx.app.get<NotificationStore>(NOTIFICATION_STORE, { strict: false });
    expect(await mail.checkpoint()).toBe(0);

    // The projections in a process of their own (as apps/projector runs them) and the worker.
    const config = loadConfig({
      DATABASE_URL: ctx.config.databaseUrl,
      DATABASE_SCHEMA: ctx.config.databaseSchema,
      DATA_DIR: ctx.config.dataDir,
      JWT_SECRET: ctx.config.jwt.secret,
      DATA_KEY: ctx.config.dataKey,
      SIGNING_KEY: ctx.config.signingKey,
      LOG_LEVEL: 'silent',
    });
    projector = await startProjector(config, { logger: quiet, lockPollMs: 200 });
    await ctx
      .as('viewer')
      .get(`/api/partnerships/${id}?minPosition=${position}`)
      .expect(200)
      .expect((response) => expect(response.body.meetings).toHaveLength(1));

    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
    await worker.init();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const sent = await ctx
        .as('officer')
        .get(`/api/notifications?partnershipId=${id}`)
        .expect(200)
        .then((response) => response.body.items as { status: string }[]);
      if (sent.some((notification) => notification.status === 'sent')) break;
      if (Date.now() > deadline) throw new Error(`no invitation sent: ${JSON.stringify(sent)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
});
