import { ConfigError } from '@passerelle/config';
import type { NotificationSettings } from '@passerelle/notifications';

/** Command-line tuning of the worker, flag → setting. */
const FLAGS = {
  concurrency: 'concurrency',
  attempts: 'attempts',
  'backoff-ms': 'backoffMs',
  'lock-duration-ms': 'lockDurationMs',
  'sending-timeout-ms': 'sendingTimeoutMs',
  'batch-size': 'batchSize',
} as const satisfies Record<string, keyof NotificationSettings>;

/** The settings the flags change; a flag that is not a positive whole number is a configuration error. */
export function tuningFrom(
  values: Record<string, string | boolean | undefined>,
): Partial<NotificationSettings> {
  const tuning: Partial<Record<(typeof FLAGS)[keyof typeof FLAGS], number>> = {};
  for (const [flag, setting] of Object.entries(FLAGS)) {
    const value = values[flag];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !/^[1-9]\d{0,8}$/.test(value)) {
      throw new ConfigError(`--${flag} must be a positive whole number`);
    }
    tuning[setting] = Number(value);
  }
  return tuning;
}

export const TUNING_FLAGS = Object.keys(FLAGS);
