import type { SqlExecutor } from '@passerelle/database';
import { AfterCommitNotifier } from './after-commit-notifier';

/** An executor that records the payloads notified. */
function recording(): { executor: SqlExecutor; payloads: string[] } {
  const payloads: string[] = [];
  const executor: SqlExecutor = {
    async query<Row>(_sql: string, params: readonly unknown[] = []): Promise<Row[]> {
      await new Promise((resolve) => setImmediate(resolve));
      payloads.push(String(params[1]));
      return [];
    },
    async exec() {},
  };
  return { executor, payloads };
}

describe('AfterCommitNotifier', () => {
  it('notifies the highest position announced, coalescing a burst', async () => {
    const { executor, payloads } = recording();
    const notifier = new AfterCommitNotifier(executor, 'events');
    notifier.announce(1);
    notifier.announce(3);
    notifier.announce(2);
    await notifier.flush();
    expect(payloads).toEqual(['1', '3']);
  });

  // Appends finish in any order: one that took a lower position can report after a higher one was
  // notified. Such a late, lower announcement used to leave the notifier stuck with a settled drain,
  // so nothing was ever notified again (subscribers fell back to their safety poll).
  it('keeps notifying after an announcement below what it already notified', async () => {
    const { executor, payloads } = recording();
    const notifier = new AfterCommitNotifier(executor, 'events');
    notifier.announce(5);
    await notifier.flush();
    notifier.announce(4);
    notifier.announce(5);
    await notifier.flush();
    notifier.announce(7);
    await notifier.flush();
    expect(payloads).toEqual(['5', '7']);
  });
});
