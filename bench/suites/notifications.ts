import { performance } from 'node:perf_hooks';
import type { BenchContext } from '../lib/context';
import { using } from '../lib/context';
import { post, proposePartnerships, registerParties, requestFor, type Api } from '../lib/http';
import { closedLoop } from '../lib/load';
import { alone, type Figure } from '../lib/report';
import { SmtpCounter } from '../lib/smtp-counter';
import type { AppInfo } from '../systems/app';

/** Waits until no e-mail has arrived for `quietMs`; returns how many arrived in all. */
async function quiet(smtp: SmtpCounter, quietMs: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = smtp.arrivals.length;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    if (smtp.arrivals.length === count || Date.now() > deadline) return smtp.arrivals.length;
  }
}

/** Schedules one introduction meeting on each of `ids` over HTTP, 16 at a time. */
async function scheduleMeetings(api: Api, ids: readonly string[], attendee: string): Promise<void> {
  await closedLoop(16, ids.length, async (index) => {
    const { path, body } = requestFor(ids[index]!, 'schedule', attendee);
    await post(api, path, JSON.parse(body) as object);
  });
}

/**
 * `notifications`: meeting invitations from the application (dispatcher, BullMQ on the local Redis,
 * worker, SMTP mailer) to an SMTP server in this process. The meetings are scheduled as fast as the
 * API takes them; the figure is e-mails delivered per second from the first command to the last
 * e-mail. No baseline: what matters is that mail keeps up with commands.
 */
export async function notifications(ctx: BenchContext): Promise<Figure[]> {
  const { messages } = ctx.sizes.notifications;
  const smtp = await SmtpCounter.start();
  try {
    return await using(
      [
        ctx.open('app', {
          databaseUrl: ctx.databaseUrl,
          schema: ctx.scratch.schema('mail'),
          env: { SMTP_URL: smtp.url },
        }),
      ],
      async ([app]) => {
        const api = await app!.call<AppInfo>('info');
        const { parties, attendee } = await registerParties(api, 1);
        const warmup = await proposePartnerships(api, parties, 10);
        const ids = await proposePartnerships(api, parties, messages);
        await scheduleMeetings(api, warmup, attendee);
        const warmed = await quiet(smtp, 1000, 60_000);
        ctx.log(`  warm-up: ${warmed} e-mails for ${warmup.length} meetings`);

        const started = performance.now();
        await scheduleMeetings(api, ids, attendee);
        const commandsMs = performance.now() - started;
        const total = (await quiet(smtp, 1000, 300_000)) - warmed;
        const lastMs = smtp.arrivals[smtp.arrivals.length - 1]! - started;
        ctx.log(
          `  ${ids.length} meetings scheduled in ${(commandsMs / 1000).toFixed(1)} s; ` +
            `${total} e-mails delivered, the last ${(lastMs / 1000).toFixed(1)} s after the first command`,
        );
        return [alone('notifications', (total * 1000) / lastMs, 'e-mails/s', null, null)];
      },
    );
  } finally {
    await smtp.close();
  }
}
