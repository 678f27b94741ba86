import { createTestSqlClient, TestSqlClient } from '@passerelle/database/testing';
import { SqlProcessorCheckpoints } from '@passerelle/event-store';
import { ERASED } from '@passerelle/domain';
import { CachedPersonKeyStore, generateDataKey, MasterKey, PersonalValues } from '@passerelle/privacy';
import { MemoryPersonKeyStore } from '@passerelle/privacy/testing/memory-person-key-store';
import { notificationIdFor, retryJobIdFor, timerIdFor } from '../ids';
import type { PlannedNotification, PlannedTimer } from '../model';
import { DISPATCHER_CHECKPOINT } from '../ports/notification-store.port';
import { SqlNotificationStore } from './sql-notification-store';

const PARTNERSHIP = '6f1c0d1e-5b7a-4c1e-9a53-0c2f4d1a0001';
const EVENT = '00000000-0000-4000-8000-000000000042';

const planned = (email: string, position = 5, notBefore: Date | null = null): PlannedNotification => ({
  id: notificationIdFor(EVENT, email, 'agreement.executed'),
  partnershipId: PARTNERSHIP,
  source: { kind: 'event', id: EVENT },
  position,
  template: 'agreement.executed',
  subjectId: 'agreement-1',
  recipient: { email, name: 'Ana', language: 'fr', organizationId: '0a000000-0000-4000-8000-000000000001' },
  notBefore,
});

const timer = (position: number): PlannedTimer => ({
  id: timerIdFor('agreement_expiry', 'agreement-1', position),
  partnershipId: PARTNERSHIP,
  dueAt: new Date('2027-03-05T00:00:00Z'),
  position,
  data: { kind: 'agreement_expiry', agreementId: 'agreement-1', expiresOn: '2027-03-05' },
});

describe.each(['pglite', 'postgres'] as const)('SQL notification store on %s', (dialect) => {
  let db: TestSqlClient;
  let store: SqlNotificationStore;

  beforeAll(async () => {
    db = await createTestSqlClient(dialect, 'notifications_store');
    store = new SqlNotificationStore(db.client);
    await store.migrate();
    await store.migrate();
  });
  beforeEach(async () => {
    await db.client.exec(
      `DELETE FROM notifications; DELETE FROM notification_timers; DELETE FROM processor_checkpoints`,
    );
  });
  afterAll(async () => {
    await db.cleanup();
  });

  it('reads the dispatcher’s checkpoint from the processors’ table: 0 before it ever ran', async () => {
    expect(await store.checkpoint()).toBe(0);
    await new SqlProcessorCheckpoints(db.client).claim(DISPATCHER_CHECKPOINT);
    await db.client.query(`UPDATE processor_checkpoints SET position = 10 WHERE name = $1`, [
      DISPATCHER_CHECKPOINT,
    ]);
    expect(await store.checkpoint()).toBe(10);
  });

  it('records a plan once: recording it again changes nothing, whatever happened to it since', async () => {
    const ana = planned('ana@example.org', 5, new Date('2026-01-01T00:00:00Z'));
    await store.record([ana, planned('bo@example.org')], [timer(5)]);
    await store.claim(ana.id);
    await store.markSent(
      ana.id,
      { messageId: '<m@x>', response: '250 ok' },
      new Date('2026-01-01T00:00:01Z'),
    );
    await store.record([ana, planned('bo@example.org')], [timer(5)]);
    const stored = await store.get(ana.id);
    expect(stored).toMatchObject({
      status: 'sent',
      attempts: 1,
      messageId: '<m@x>',
      smtpResponse: '250 ok',
      recipient: ana.recipient,
      notBefore: new Date('2026-01-01T00:00:00Z'),
      jobId: ana.id,
    });
    const open = await store.outstandingBetween(0, 5);
    // Sent but not yet recorded in the log is still open work.
    expect(open.notifications.map((n) => `${n.recipient.email} ${n.status}`).sort()).toEqual([
      'ana@example.org sent',
      'bo@example.org queued',
    ]);
    expect(open.timers.map((t) => t.data)).toEqual([timer(5).data]);
    expect((await store.outstandingBetween(5, 9)).notifications).toEqual([]);
  });

  it('moves a message through its statuses and only from the statuses that allow it', async () => {
    const ana = planned('ana@example.org');
    await store.record([ana], []);
    expect(await store.claim(ana.id)).toMatchObject({ status: 'sending', attempts: 1 });
    expect(await store.claim(ana.id)).toBeNull();
    await store.markRetrying(ana.id, '451 busy');
    expect(await store.get(ana.id)).toMatchObject({ status: 'queued', lastError: '451 busy' });
    await store.claim(ana.id);
    await store.markFailed(ana.id, 'gave up');
    expect((await store.list({ status: 'failed', limit: 10, offset: 0 })).map((n) => n.id)).toEqual([ana.id]);
    expect((await store.outstanding()).notifications).toEqual([]);
    const requeued = await store.requeue(ana.id);
    expect(requeued).toMatchObject({ status: 'queued', attempts: 0, jobId: retryJobIdFor(ana.id, 1) });
    expect(await store.requeue(ana.id)).toBeNull();
    await store.claim(ana.id);
    await store.markSent(ana.id, { messageId: '<m@x>', response: '250' }, new Date());
    expect((await store.outstanding()).notifications.map((n) => n.id)).toEqual([ana.id]);
    await store.markAudited(ana.id, 99);
    expect((await store.outstanding()).notifications).toEqual([]);
    expect(await store.get(ana.id)).toMatchObject({ status: 'sent', auditPosition: 99 });
  });

  it('lists a partnership’s messages and finds a timer’s messages', async () => {
    await store.record([planned('ana@example.org'), planned('bo@example.org')], []);
    expect(await store.list({ partnershipId: PARTNERSHIP, limit: 10, offset: 0 })).toHaveLength(2);
    expect(
      await store.list({ partnershipId: '6f1c0d1e-5b7a-4c1e-9a53-0c2f4d1a0002', limit: 10, offset: 0 }),
    ).toEqual([]);
    expect(await store.queuedFrom(EVENT)).toHaveLength(2);
  });

  it('counts messages by status, every status listed', async () => {
    expect(await store.countByStatus()).toEqual({ queued: 0, sending: 0, sent: 0, failed: 0, skipped: 0 });
    const [ana, bo, cy, di] = ['ana', 'bo', 'cy', 'di'].map((name) => planned(`${name}@example.org`));
    await store.record([ana!, bo!, cy!, di!], []);
    await store.claim(bo!.id);
    await store.claim(cy!.id);
    await store.markFailed(cy!.id, 'gave up');
    await store.markSkipped(di!.id, 'already signed');
    expect(await store.countByStatus()).toEqual({ queued: 1, sending: 1, sent: 0, failed: 1, skipped: 1 });
  });

  it('answers the pending timers due before a time, when asked', async () => {
    const soon = { ...timer(4), dueAt: new Date('2027-03-01T00:00:00Z') };
    await store.record([], [timer(3), soon]);
    const before = (dueBefore: string) =>
      store
        .outstanding({ timersDueBefore: new Date(dueBefore) })
        .then((work) => work.timers.map((t) => t.id));
    expect(await before('2027-03-02T00:00:00Z')).toEqual([soon.id]);
    expect(await before('2027-03-06T00:00:00Z')).toEqual([timer(3).id, soon.id]);
    expect(await before('2027-03-01T00:00:00Z')).toEqual([]);
    expect((await store.outstanding()).timers.map((t) => t.id)).toEqual([timer(3).id, soon.id]);
  });

  it('finishes a timer once', async () => {
    await store.record([], [timer(3)]);
    await store.finishTimer(timer(3).id, 'done', 'expiry: expired');
    await store.finishTimer(timer(3).id, 'skipped', 'later');
    expect(await store.timer(timer(3).id)).toMatchObject({ status: 'done', outcome: 'expiry: expired' });
    expect((await store.outstanding()).timers).toEqual([]);
  });
});

describe.each(['pglite', 'postgres'] as const)(
  'SQL notification store with sealed recipients, on %s',
  (dialect) => {
    const master = MasterKey.fromText(generateDataKey());
    const subject = (email: string) => master.subjectOf('email', email);
    let db: TestSqlClient;
    let keys: CachedPersonKeyStore;
    let store: SqlNotificationStore;
    /** Every row as stored, as text: what a dump of the table would hold. */
    const tableText = async () =>
      (await db.client.query<{ row: string }>('SELECT n::text AS row FROM notifications n'))
        .map((r) => r.row)
        .join('\n');

    beforeAll(async () => {
      db = await createTestSqlClient(dialect, 'notifications_sealed');
      keys = new CachedPersonKeyStore(new MemoryPersonKeyStore());
      store = new SqlNotificationStore(
        db.client,
        new PersonalValues(keys, (kind, value) => master.subjectOf(kind, value)),
      );
      await store.migrate();
    });
    afterAll(async () => {
      await db.cleanup();
    });

    it('stores no address and no name in clear, reads them opened, and erased once the person is forgotten', async () => {
      const ana = planned('ana@example.org');
      const bo = {
        ...planned('bo@example.org'),
        recipient: { ...planned('bo@example.org').recipient, name: 'Bo' },
      };
      await store.record([ana, bo], []);
      expect(await tableText()).not.toMatch(/ana@example\.org|bo@example\.org/);
      const columns = await db.client.query<{ recipient_email: string; recipient_name: string }>(
        'SELECT recipient_email, recipient_name FROM notifications',
      );
      for (const row of columns) {
        expect(row.recipient_email).toMatch(/^pii:v1:/);
        expect(row.recipient_name).toMatch(/^pii:v1:/);
      }
      expect((await store.get(ana.id))!.recipient).toMatchObject({ email: 'ana@example.org', name: 'Ana' });

      await keys.forget(subject('ana@example.org'));
      expect((await store.get(ana.id))!.recipient).toMatchObject({ email: ERASED, name: null });
      expect((await store.get(bo.id))!.recipient).toMatchObject({ email: 'bo@example.org', name: 'Bo' });
      // What is still to send to her is stopped; the others are left alone.
      expect(await store.eraseRecipients(() => false)).toBe(1);
      expect(await store.get(ana.id)).toMatchObject({ status: 'skipped', lastError: 'recipient forgotten' });
      expect(await store.get(bo.id)).toMatchObject({ status: 'queued' });
      // Recorded again after the forget: erased, never sealed under a new key.
      const again = {
        ...planned('ana@example.org', 7),
        id: notificationIdFor('other', 'ana@example.org', 'agreement.executed'),
      };
      await store.record([again], []);
      expect((await store.get(again.id))!.recipient.email).toBe(ERASED);
    });

    it('seals at start-up what an earlier version recorded in clear', async () => {
      const cleartext = new SqlNotificationStore(db.client);
      const carla = planned('carla@example.org', 9);
      await cleartext.record([carla], []);
      expect(await tableText()).toContain('carla@example.org');
      await store.migrate();
      expect(await tableText()).not.toContain('carla@example.org');
      expect((await store.get(carla.id))!.recipient.email).toBe('carla@example.org');
    });
  },
);

describe.each(['pglite', 'postgres'] as const)(
  'upgrading a store of the previous layout on %s',
  (dialect) => {
    let db: TestSqlClient;
    beforeEach(async () => {
      db = await createTestSqlClient(dialect, 'notifications_upgrade');
    });
    afterEach(() => db.cleanup());

    it('moves the dispatcher’s checkpoint from the read models’ table, so nothing is planned twice or skipped', async () => {
      // The table as the read models created it before processor checkpoints existed.
      await db.client.exec(`CREATE TABLE projection_checkpoints (
        name text PRIMARY KEY, position bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(), version integer NOT NULL, generation integer NOT NULL);
      INSERT INTO projection_checkpoints (name, position, version, generation)
        VALUES ('notification_dispatcher', 42, 1, 1), ('partnerships', 40, 3, 2)`);
      const store = new SqlNotificationStore(db.client);
      await store.migrate();
      expect(await store.checkpoint()).toBe(42);
      const left = await db.client.query<{ name: string }>('SELECT name FROM projection_checkpoints');
      expect(left.map((row) => row.name)).toEqual(['partnerships']);
      await store.migrate();
      expect(await store.checkpoint()).toBe(42);
    });

    it('starts at 0 on a database that never had the read models’ table', async () => {
      const store = new SqlNotificationStore(db.client);
      await store.migrate();
      expect(await store.checkpoint()).toBe(0);
    });
  },
);
