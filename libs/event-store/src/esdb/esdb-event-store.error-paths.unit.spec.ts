/**
 * The adapter's handling of EventStoreDB behaviours that the contract suite cannot provoke, one
 * spec per finding of the adapter's review (docs/deployment.md, "The EventStoreDB adapter"). The
 * server is the scripted client of ./testing, which reproduces each behaviour deterministically;
 * the contract suite itself runs only against a real server.
 */
import { randomUUID } from 'node:crypto';
import { copyLog } from '../copy/copy-log';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../errors';
import type { NewEvent, RecordedEvent } from '../event-store.port';
import { UnavailableError, UnknownError } from './client';
import { EsdbEventStore } from './esdb-event-store';
import { reservationStreamOf } from './event-codec';
import { ScriptedEsdbClient } from './testing/scripted-esdb-client';

function newEvent(n = 0): NewEvent {
  return { id: randomUUID(), type: 'ThingHappened', version: 1, data: { n }, metadata: {} };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('EventStoreDB adapter on the error paths the review found (scripted client)', () => {
  let double: ScriptedEsdbClient;
  let store: EsdbEventStore;

  beforeEach(() => {
    double = new ScriptedEsdbClient();
    store = new EsdbEventStore(double.asClient());
  });

  afterEach(async () => {
    await store.close();
  });

  it('finding 1: a concurrent copy that loses an id reservation before the winner is readable is no DuplicateEventIdError', async () => {
    const events = [newEvent()];
    const reservation = reservationStreamOf('', events[0]!.id);
    const hold = double.holdNextAppend(reservation);
    const first = store.appendToStream('thing-1', events, 'no_stream');
    await hold.inLog;
    const copy = store.appendToStream('thing-1', events, 'no_stream');
    // The server refused the copy's reservation, and the copy found the reservation stream empty.
    await waitFor(() => double.notFound.includes(reservation), 'the copy to find no owner');
    hold.release();

    const results = await Promise.all([first, copy]);
    expect(results.map((result) => result.appended).sort()).toEqual([false, true]);
    expect(results[0]).toMatchObject({ revision: 0, position: results[1].position });
    expect(double.idsIn('thing-1')).toEqual([events[0]!.id]);
  });

  it('finding 2: a concurrent copy whose write the server drops (DeadlineExceeded) is answered from the stored events', async () => {
    const events = [newEvent(1), newEvent(2)];
    const hold = double.holdNextAppend('thing-2');
    const first = store.appendToStream('thing-2', events, 'no_stream');
    await hold.inLog;
    const copy = store.appendToStream('thing-2', events, 'no_stream');
    await waitFor(() => double.idempotentNotReady === 1, 'the server to drop the copy');
    hold.release();

    const [original, retried] = await Promise.all([first, copy]);
    expect(original).toMatchObject({ revision: 1, appended: true });
    expect(retried).toEqual({ revision: 1, position: original.position, appended: false });
    expect(double.idsIn('thing-2')).toEqual(events.map((event) => event.id));
  });

  it('finding 2: an append whose answer is lost while the cluster elects a leader is looked for, and stored once', async () => {
    const events = [newEvent(1), newEvent(2)];
    const unavailable = new UnavailableError({
      code: 14,
      details: 'Connection dropped',
      message: '14 UNAVAILABLE: Connection dropped',
    } as never);
    // Stored, but the answer is lost, and the next three reads find no node either.
    double.loseAnswerOfNextAppend('thing-2b', unavailable, 3);
    await expect(store.appendToStream('thing-2b', events, 'no_stream')).resolves.toMatchObject({
      revision: 1,
      appended: true,
    });
    expect(double.idsIn('thing-2b')).toEqual(events.map((event) => event.id));
  });

  it('finding 3: the reservation winner finds the copy stored while it retried, and stores nothing twice', async () => {
    await store.appendToStream('thing-3', [newEvent()], 'no_stream');
    const events = [newEvent()];
    let copied: Promise<unknown> | undefined;
    // Just before the winner's pinned append reaches the server: another writer appends, the copy
    // (which lost the reservation) stores the events after it, and a third writer appends two more.
    double.beforeNextAppend('thing-3', async () => {
      await store.appendToStream('thing-3', [newEvent()], 'any');
      copied = store.appendToStream('thing-3', events, 'any');
      await copied;
      await store.appendToStream('thing-3', [newEvent(), newEvent()], 'any');
    });

    const result = await store.appendToStream('thing-3', events, 'any');
    const copy = (await copied) as { appended: boolean; revision: number };
    expect(double.idsIn('thing-3').filter((id) => id === events[0]!.id)).toHaveLength(1);
    expect(copy).toMatchObject({ revision: 2, appended: true });
    expect(result).toMatchObject({ revision: 2, appended: false });
  });

  it('finding 4: an append that fails without throwing (throwOnAppendFailure=false) is not taken for a stored one', async () => {
    const lenient = new ScriptedEsdbClient({ throwOnAppendFailure: false });
    const lenientStore = new EsdbEventStore(lenient.asClient());
    const events = [newEvent()];
    // Another writer gets in first: the pinned append fails, answered as the 6.x client does.
    lenient.beforeNextAppend('thing-4', async () => lenient.seed('thing-4', 2));
    try {
      const result = await lenientStore.appendToStream('thing-4', events, 'any');
      expect(result).toMatchObject({ revision: 2, appended: true });
      expect(lenient.idsIn('thing-4')).toContain(events[0]!.id);
    } finally {
      await lenientStore.close();
    }
  });

  it('finding 6: after a leader change, reads and appends go to the leader: no stale revision, no error after an append', async () => {
    const [first, second, third] = [newEvent(1), newEvent(2), newEvent(3)];
    await store.appendToStream('thing-6', [first!], 'no_stream');
    double.loseLeadership();
    double.seed('thing-6', 1); // written on the new leader only

    await expect(store.readStream('thing-6')).resolves.toHaveLength(2);
    await expect(store.appendToStream('thing-6', [second!], 1)).resolves.toMatchObject({
      revision: 2,
      appended: true,
    });
    double.loseLeadership();
    await expect(store.appendToStream('thing-6', [third!], 2)).resolves.toMatchObject({
      revision: 3,
      appended: true,
    });
    expect(double.calls.every((call) => call.requiresLeader)).toBe(true);
  });

  it('finding 7: resumes from a checkpoint with one read of $all, whatever the length of the log', async () => {
    const seeded = (await store.appendToStream('before-7', [newEvent()], 'no_stream')).position;
    const mine = [newEvent(1), newEvent(2), newEvent(3)];
    await store.appendToStream('thing-7', mine, 'no_stream');
    double.seed('busy-stream', 20_000);
    const checkpoint = double.positionOf(mine[0]!.id);

    // A new process: nothing remembered.
    const restarted = new EsdbEventStore(double.asClient());
    const before = double.calls.length;
    const page = await restarted.readAll({ after: checkpoint, maxCount: 2 });
    expect(page.map((event) => event.id)).toEqual([mine[1]!.id, mine[2]!.id]);
    const reads = double.calls.slice(before).filter((call) => call.method === 'readAll');
    expect(reads).toEqual([{ method: 'readAll', direction: 'forwards', requiresLeader: true }]);

    // A subscription resuming from the checkpoint: its first page costs one read as well.
    const delivered: RecordedEvent[] = [];
    const beforeSubscription = double.calls.length;
    const subscription = restarted.subscribeToAll({ after: checkpoint, batchSize: 2 }, async (batch) => {
      delivered.push(...batch);
    });
    await waitFor(() => delivered.length >= 2, 'the first batch');
    await subscription.stop();
    expect(delivered.slice(0, 2).map((event) => event.id)).toEqual([mine[1]!.id, mine[2]!.id]);
    expect(double.calls[beforeSubscription]).toEqual({
      method: 'readAll',
      direction: 'forwards',
      requiresLeader: true,
    });

    // copy-log resumes the same way: forwards from the checkpoint, never a scan (the id reservations
    // between the checkpoint and the events fill the first page, hence a second read).
    const target = new EsdbEventStore(new ScriptedEsdbClient().asClient());
    const beforeCopy = double.calls.length;
    const copied = await copyLog(restarted, target, { after: seeded, batchSize: 3, stopAfter: 3 });
    expect(copied).toMatchObject({ copied: 3, position: double.positionOf(mine[2]!.id) });
    expect(double.calls.slice(beforeCopy).filter((call) => call.method === 'readAll')).toEqual([
      { method: 'readAll', direction: 'forwards', requiresLeader: true },
      { method: 'readAll', direction: 'forwards', requiresLeader: true },
    ]);
    await expect(target.readStream('thing-7')).resolves.toHaveLength(3);
    await target.close();

    // A number that is no record boundary (never handed out) is still read correctly.
    await expect(restarted.readAll({ after: checkpoint + 1, maxCount: 1 })).resolves.toEqual([page[0]]);
  });

  it('finding 8: a subscription the server drops ("consumer too slow") resumes from its last event', async () => {
    const [first, second] = [newEvent(1), newEvent(2)];
    await store.appendToStream('thing-8', [first!], 'no_stream');
    const delivered: string[] = [];
    const subscription = store.subscribeToAll({ after: null }, async (batch) => {
      delivered.push(...batch.map((event) => event.id));
    });
    let failure: unknown;
    subscription.done.catch((error: unknown) => (failure = error));
    await waitFor(() => delivered.length === 1, 'the first event');
    await waitFor(() => double.liveSubscriptions === 1, 'the live part');

    double.dropSubscriptions(
      new UnknownError({
        code: 2,
        details: 'Consumer too slow to handle event while live. Client resubscription required.',
      } as never),
    );
    await store.appendToStream('thing-8', [second!], 0);
    await waitFor(() => delivered.length === 2 || failure !== undefined, 'the event after the drop');
    expect(failure).toBeUndefined();
    expect(delivered).toEqual([first!.id, second!.id]);
    await subscription.stop();
  });

  it('finding 9: an append with `any` outlasts more lost races than the former cap of 50', async () => {
    const events = [newEvent()];
    let races = 60;
    const loseOnce = async (): Promise<void> => {
      double.seed('thing-9', 1);
      if (--races > 0) double.beforeNextAppend('thing-9', loseOnce);
    };
    double.beforeNextAppend('thing-9', loseOnce);
    await expect(store.appendToStream('thing-9', events, 'any')).resolves.toMatchObject({
      revision: 60,
      appended: true,
    });
  });

  it('finding 13: a probe that gets no answer in time cancels its read', async () => {
    double.stallReads();
    await expect(store.probe(20)).rejects.toThrow(/no answer within 20 ms/);
    expect(double.cancelledReads).toBe(1);
  });

  it('finding 14: an append refused for a conflict reserves nothing, so its ids stay free', async () => {
    await store.appendToStream('thing-14', [newEvent()], 'no_stream');
    const events = [newEvent()];
    await expect(store.appendToStream('thing-14', events, 'no_stream')).rejects.toBeInstanceOf(
      WrongExpectedRevisionError,
    );
    expect(double.streams().filter((stream) => stream.startsWith('passerelle.event-id-'))).toHaveLength(1);
    await expect(store.appendToStream('other-14', events, 'no_stream')).resolves.toMatchObject({
      appended: true,
    });
    // Once stored, the ids belong to that stream.
    await expect(store.appendToStream('thing-14', events, 0)).rejects.toBeInstanceOf(DuplicateEventIdError);
  });
});
