import type { SqlExecutor } from '@passerelle/database';

/**
 * Announces committed positions on a channel after the fact, one NOTIFY at a time, each carrying
 * the highest position committed so far (as `payloadOf` writes it): a burst of commits costs a few
 * notifications, and no commit waits for PostgreSQL's cluster-wide lock on the notification queue. Each goes
 * out in its own transaction with synchronous_commit off, as it carries nothing durable. A
 * notification lost (error, crash) delays subscribers until their safety poll, nothing more.
 */
export class AfterCommitNotifier {
  private highest = 0;
  private sent = 0;
  private draining?: Promise<void>;

  constructor(
    private readonly client: SqlExecutor,
    private readonly channel: string,
    private readonly payloadOf: (position: number) => string = String,
  ) {}

  announce(position: number): void {
    if (position > this.highest) this.highest = position;
    // Only with something to send: drain() would otherwise settle at once, before `??=` stores it,
    // and leave a settled promise there for good (a late append, lower than what was already sent).
    if (this.sent < this.highest) this.draining ??= this.drain();
  }

  /** Settles once every announced position has been notified (or given up on). */
  async flush(): Promise<void> {
    await this.draining;
  }

  private async drain(): Promise<void> {
    while (this.sent < this.highest) {
      const position = this.highest;
      try {
        await this.client.query(`SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, $2)`, [
          this.channel,
          this.payloadOf(position),
        ]);
      } catch {
        // Lost: subscribers find the events at their next safety poll.
      }
      this.sent = position;
    }
    this.draining = undefined;
  }
}
