import type { AppConfig } from '@passerelle/config';
import { LocalLocks, LockProvider, PostgresAdvisoryLocks } from '@passerelle/event-store';

/**
 * The locks that keep one active instance of a projection or of the notification dispatcher: advisory
 * locks on PostgreSQL (across processes; a lock holder's connection is named `passerelle:<holder>`),
 * in-process locks on the embedded store, which has one process.
 */
export function locksFor(config: AppConfig, holder: string, options: { pollMs?: number } = {}): LockProvider {
  if (!config.databaseUrl) return new LocalLocks();
  return new PostgresAdvisoryLocks({
    databaseUrl: config.databaseUrl,
    schema: config.databaseSchema,
    applicationName: `passerelle:${holder}`,
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
  });
}
