import type { BenchContext } from '../lib/context';
import { using } from '../lib/context';
import { alone, type Figure } from '../lib/report';
import type { NotificationsResult } from '../notifications';
import type { NotificationsParams } from '../systems/notifications';

/**
 * `notifications`: bench/notifications.ts's measurement — meetings scheduled through the CommandBus,
 * each inviting every contact of both parties, through the dispatcher, BullMQ on the local Redis and
 * the worker to an SMTP server in the same process that only counts. The figure is e-mails per
 * second from the first command to the last e-mail. No baseline: mail has to keep up with commands.
 */
export async function notifications(ctx: BenchContext): Promise<Figure[]> {
  const { meetings, contacts } = ctx.sizes.notifications;
  const params: NotificationsParams = { meetings, contacts, pglite: false, databaseUrl: ctx.databaseUrl };
  return using([ctx.open('notifications', params)], async ([pipeline]) => {
    const result = await pipeline!.call<NotificationsResult & { lines: string[] }>('run');
    for (const line of result.lines) ctx.log(`  ${line.trim()}`);
    return [alone('notifications', result.rate, 'e-mails/s', null, null)];
  });
}
