import { measureNotifications, type NotificationsOptions, type NotificationsResult } from '../notifications';
import type { BenchSystem } from './types';

export type NotificationsParams = Omit<NotificationsOptions, 'log'>;

/** bench/notifications.ts's end-to-end measurement, in a process of its own; its report comes back as lines. */
export async function open(params: NotificationsParams): Promise<BenchSystem> {
  return {
    async run(): Promise<NotificationsResult & { lines: string[] }> {
      const lines: string[] = [];
      const result = await measureNotifications({ ...params, log: (line) => lines.push(line) });
      return { ...result, lines };
    },
    async close(): Promise<void> {},
  };
}
