import { migrate, Migration, SqlClient, SqlExecutor } from '@passerelle/database';
import { ERASED, isErased } from '@passerelle/domain';
import { processorCheckpointMigrations, readProcessorCheckpoint } from '@passerelle/event-store';
import { retryJobIdFor } from '../ids';
import { NOTIFICATION_STATUSES } from '../model';
import type {
  NotificationRecord,
  NotificationStatus,
  PlannedNotification,
  PlannedTimer,
  Template,
  TimerData,
  TimerRecord,
  TimerStatus,
} from '../model';
import {
  DISPATCHER_CHECKPOINT,
  NotificationQuery,
  NotificationStore,
  OutstandingWork,
} from '../ports/notification-store.port';

export const notificationMigrations: Migration[] = [
  {
    id: 'notifications/0001-notifications-and-timers',
    sql: `
CREATE TABLE notifications (
  id uuid PRIMARY KEY,
  partnership_id uuid NOT NULL,
  source_kind text NOT NULL CHECK (source_kind IN ('event', 'timer')),
  source_id uuid NOT NULL,
  position bigint NOT NULL,
  template text NOT NULL,
  subject_id text,
  recipient_email text NOT NULL,
  recipient_name text,
  recipient_language text NOT NULL,
  recipient_organization_id uuid,
  not_before timestamptz,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'skipped')),
  job_id text NOT NULL,
  manual_retries integer NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  message_id text,
  smtp_response text,
  audit_position bigint,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX notifications_by_partnership ON notifications (partnership_id, created_at DESC);
CREATE INDEX notifications_by_position ON notifications (position);
CREATE INDEX notifications_by_source ON notifications (source_id);
CREATE INDEX notifications_open ON notifications (status)
  WHERE status IN ('queued', 'sending', 'failed') OR (status = 'sent' AND audit_position IS NULL);

CREATE TABLE notification_timers (
  id uuid PRIMARY KEY,
  kind text NOT NULL,
  partnership_id uuid NOT NULL,
  due_at timestamptz NOT NULL,
  position bigint NOT NULL,
  data jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'skipped')),
  outcome text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_timers_pending ON notification_timers (position) WHERE status = 'pending';
`,
  },
  {
    // The dispatcher kept its checkpoint in the read models' table; it moves, position and all, to
    // processor_checkpoints. Whichever of this and the read models' own move runs first copies it.
    id: 'notifications/0002-dispatcher-checkpoint-in-processor-checkpoints',
    sql: `
DO $move$
BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.columns
              WHERE table_schema = current_schema() AND table_name = 'projection_checkpoints'
                AND column_name = 'position') THEN
    INSERT INTO processor_checkpoints (name, position, updated_at)
      SELECT name, position, updated_at FROM projection_checkpoints WHERE name = 'notification_dispatcher'
    ON CONFLICT (name) DO NOTHING;
  END IF;
  IF to_regclass('projection_checkpoints') IS NOT NULL THEN
    DELETE FROM projection_checkpoints WHERE name = 'notification_dispatcher';
  END IF;
END
$move$;
`,
  },
  {
    // Which attempt holds a message \`sending\`: the worker's own token, so what the job learnt about that
    // attempt (handed over or not) can be matched with the row after a failover (decision 0003, amendment).
    id: 'notifications/0003-sending-token',
    sql: `ALTER TABLE notifications ADD COLUMN IF NOT EXISTS sending_token text;`,
  },
  {
    // The reconciliation offers the queue only the pending timers due soon (decision 0003, issue 16).
    id: 'notifications/0004-pending-timers-by-due-time',
    sql: `CREATE INDEX IF NOT EXISTS notification_timers_pending_due ON notification_timers (due_at)
            WHERE status = 'pending';`,
  },
];

interface NotificationRow {
  id: string;
  partnership_id: string;
  source_kind: 'event' | 'timer';
  source_id: string;
  position: number;
  template: Template;
  subject_id: string | null;
  recipient_email: string;
  recipient_name: string | null;
  recipient_language: 'en' | 'fr';
  recipient_organization_id: string | null;
  not_before: Date | null;
  status: NotificationStatus;
  job_id: string;
  attempts: number;
  last_error: string | null;
  message_id: string | null;
  smtp_response: string | null;
  audit_position: number | null;
  created_at: Date;
  updated_at: Date;
  sent_at: Date | null;
  sending_token: string | null;
}

interface TimerRow {
  id: string;
  partnership_id: string;
  due_at: Date;
  position: number;
  data: TimerData;
  status: TimerStatus;
  outcome: string | null;
}

const toRecord = (row: NotificationRow): NotificationRecord => ({
  id: row.id,
  partnershipId: row.partnership_id,
  source: { kind: row.source_kind, id: row.source_id },
  position: row.position,
  template: row.template,
  subjectId: row.subject_id,
  recipient: {
    email: row.recipient_email,
    name: row.recipient_name,
    language: row.recipient_language,
    organizationId: row.recipient_organization_id,
  },
  notBefore: row.not_before ? new Date(row.not_before) : null,
  status: row.status,
  jobId: row.job_id,
  attempts: row.attempts,
  lastError: row.last_error,
  messageId: row.message_id,
  smtpResponse: row.smtp_response,
  auditPosition: row.audit_position,
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
  sentAt: row.sent_at ? new Date(row.sent_at) : null,
  sendingToken: row.sending_token ?? null,
});

const toTimer = (row: TimerRow): TimerRecord => ({
  id: row.id,
  partnershipId: row.partnership_id,
  dueAt: new Date(row.due_at),
  position: row.position,
  data: row.data,
  status: row.status,
  outcome: row.outcome,
});

/** Handed to the queue again after a restart: not finished, or finished but not yet in the log. */
const OPEN = `(status IN ('queued', 'sending') OR (status = 'sent' AND audit_position IS NULL))`;

/**
 * Keeps each recipient's address and name sealed under that person's key, as the log keeps them
 * (libs/privacy PersonalValues): forgetting the person deletes the key, and every message addressed to
 * them reads as erased at once, with no row to rewrite first.
 */
export interface RecipientSealing {
  /** The values, sealed under the key of the person with address `owner`; ERASED when forgotten. */
  seal(kind: 'email', owner: string, values: readonly (string | null)[]): Promise<(string | null)[]>;
  /** How to read each of the given values: in clear, ERASED once the key is gone, as is when not sealed. */
  opener(values: Iterable<string>): Promise<(value: string) => string>;
}

/** Without sealing (a store of its own in tests): recipients are kept as given. */
const IN_CLEAR: RecipientSealing = {
  seal: (_kind, _owner, values) => Promise.resolve([...values]),
  opener: () => Promise.resolve((value) => value),
};

/** Over PGlite or PostgreSQL (the SqlClient's schema); the dispatcher's checkpoint is a processor's. */
export class SqlNotificationStore implements NotificationStore {
  constructor(
    private readonly client: SqlClient,
    private readonly sealing: RecipientSealing = IN_CLEAR,
  ) {}

  async migrate(): Promise<void> {
    await migrate(this.client, [...processorCheckpointMigrations, ...notificationMigrations]);
    await this.sealRecipientsInClear();
  }

  /** Seals the recipients of messages recorded before recipients were sealed (once; then there are none). */
  private async sealRecipientsInClear(): Promise<void> {
    if (this.sealing === IN_CLEAR) return;
    const rows = await this.client.query<{
      id: string;
      recipient_email: string;
      recipient_name: string | null;
    }>(
      `SELECT id, recipient_email, recipient_name FROM notifications
        WHERE recipient_email NOT LIKE 'pii:%' AND recipient_email <> $1`,
      [ERASED],
    );
    for (const row of rows) {
      const [email, name] = await this.sealing.seal('email', row.recipient_email, [
        row.recipient_email,
        row.recipient_name,
      ]);
      await this.client.query(
        'UPDATE notifications SET recipient_email = $2, recipient_name = $3 WHERE id = $1 AND recipient_email = $4',
        [row.id, email, name, row.recipient_email],
      );
    }
  }

  /** Rows as records, recipients opened (one key look-up for the lot). */
  private async records(rows: readonly NotificationRow[]): Promise<NotificationRecord[]> {
    if (rows.length === 0) return [];
    const open = await this.sealing.opener(
      rows.flatMap((row) => [
        row.recipient_email,
        ...(row.recipient_name === null ? [] : [row.recipient_name]),
      ]),
    );
    return rows.map((row) => {
      const record = toRecord(row);
      const email = open(row.recipient_email);
      // A forgotten person's name goes with their address (a name sealed before under another key too).
      const name = row.recipient_name === null || isErased(email) ? null : open(row.recipient_name);
      return { ...record, recipient: { ...record.recipient, email, name } };
    });
  }

  private async record1(row: NotificationRow | undefined): Promise<NotificationRecord | null> {
    return row ? ((await this.records([row]))[0] ?? null) : null;
  }

  async checkpoint(): Promise<number> {
    return (await readProcessorCheckpoint(this.client, DISPATCHER_CHECKPOINT)) ?? 0;
  }

  async record(
    notifications: readonly PlannedNotification[],
    timers: readonly PlannedTimer[],
  ): Promise<void> {
    if (notifications.length === 0 && timers.length === 0) return;
    // Sealed before the transaction: a key may have to be created, on a connection of its own.
    const sealed = await Promise.all(notifications.map((n) => this.sealRecipient(n)));
    await this.client.transaction(async (tx) => {
      if (notifications.length > 0) await insertNotifications(tx, sealed);
      if (timers.length > 0) await insertTimers(tx, timers);
    });
  }

  private async sealRecipient(notification: PlannedNotification): Promise<PlannedNotification> {
    const { email, name } = notification.recipient;
    const [sealedEmail, sealedName] = await this.sealing.seal('email', email, [email, name]);
    return {
      ...notification,
      recipient: { ...notification.recipient, email: sealedEmail!, name: sealedName! },
    };
  }

  async outstandingBetween(after: number, upTo: number): Promise<OutstandingWork> {
    const [notifications, timers] = [
      await this.client.query<NotificationRow>(
        `SELECT * FROM notifications WHERE position > $1 AND position <= $2 AND ${OPEN} ORDER BY position, id`,
        [after, upTo],
      ),
      await this.client.query<TimerRow>(
        `SELECT * FROM notification_timers WHERE position > $1 AND position <= $2 AND status = 'pending' ORDER BY position, id`,
        [after, upTo],
      ),
    ];
    return { notifications: await this.records(notifications), timers: timers.map(toTimer) };
  }

  async outstanding(options: { timersDueBefore?: Date } = {}): Promise<OutstandingWork> {
    const notifications = await this.client.query<NotificationRow>(
      `SELECT * FROM notifications WHERE ${OPEN} ORDER BY position, id`,
    );
    const timers = options.timersDueBefore
      ? await this.client.query<TimerRow>(
          `SELECT * FROM notification_timers WHERE status = 'pending' AND due_at < $1 ORDER BY position, id`,
          [options.timersDueBefore.toISOString()],
        )
      : await this.client.query<TimerRow>(
          `SELECT * FROM notification_timers WHERE status = 'pending' ORDER BY position, id`,
        );
    return { notifications: await this.records(notifications), timers: timers.map(toTimer) };
  }

  async queuedFrom(sourceId: string): Promise<NotificationRecord[]> {
    const rows = await this.client.query<NotificationRow>(
      `SELECT * FROM notifications WHERE source_id = $1 AND ${OPEN} ORDER BY id`,
      [sourceId],
    );
    return this.records(rows);
  }

  async get(id: string): Promise<NotificationRecord | null> {
    const [row] = await this.client.query<NotificationRow>('SELECT * FROM notifications WHERE id = $1', [id]);
    return this.record1(row);
  }

  async claim(id: string, jobId?: string, token?: string): Promise<NotificationRecord | null> {
    const [row] = await this.client.query<NotificationRow>(
      `UPDATE notifications SET status = 'sending', attempts = attempts + 1, sending_token = $3, updated_at = now()
       WHERE id = $1 AND status = 'queued' AND ($2::text IS NULL OR job_id = $2) RETURNING *`,
      [id, jobId ?? null, token ?? null],
    );
    return this.record1(row);
  }

  async markSent(
    id: string,
    receipt: { messageId: string; response: string },
    at: Date,
  ): Promise<NotificationRecord | null> {
    const [row] = await this.client.query<NotificationRow>(
      `UPDATE notifications SET status = 'sent', message_id = $2, smtp_response = $3, sent_at = $4,
         last_error = NULL, updated_at = now()
       WHERE id = $1 AND status <> 'sent' RETURNING *`,
      [id, receipt.messageId, receipt.response.slice(0, 1000), at],
    );
    return row ? this.record1(row) : this.get(id);
  }

  async markAudited(id: string, position: number): Promise<void> {
    await this.client.query(
      'UPDATE notifications SET audit_position = $2, updated_at = now() WHERE id = $1',
      [id, position],
    );
  }

  async markRetrying(id: string, error: string, token?: string): Promise<boolean> {
    const rows = await this.client.query<{ id: string }>(
      `UPDATE notifications SET status = 'queued', last_error = $2, updated_at = now()
       WHERE id = $1 AND status = 'sending' AND ($3::text IS NULL OR sending_token = $3) RETURNING id`,
      [id, error.slice(0, 2000), token ?? null],
    );
    return rows.length > 0;
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.client.query(
      `UPDATE notifications SET status = 'failed', last_error = $2, updated_at = now()
       WHERE id = $1 AND status IN ('queued', 'sending')`,
      [id, error.slice(0, 2000)],
    );
  }

  async markSkipped(id: string, reason: string): Promise<void> {
    await this.client.query(
      `UPDATE notifications SET status = 'skipped', last_error = $2, updated_at = now()
       WHERE id = $1 AND status IN ('queued', 'sending')`,
      [id, reason.slice(0, 2000)],
    );
  }

  async requeue(id: string): Promise<NotificationRecord | null> {
    const [current] = await this.client.query<{ manual_retries: number }>(
      `SELECT manual_retries FROM notifications WHERE id = $1 AND status = 'failed'`,
      [id],
    );
    if (!current) return null;
    const [row] = await this.client.query<NotificationRow>(
      `UPDATE notifications SET status = 'queued', attempts = 0, manual_retries = manual_retries + 1, job_id = $2,
         not_before = NULL, updated_at = now()
       WHERE id = $1 AND status = 'failed' AND manual_retries = $3 RETURNING *`,
      [id, retryJobIdFor(id, current.manual_retries + 1), current.manual_retries],
    );
    return this.record1(row);
  }

  async list(query: NotificationQuery): Promise<NotificationRecord[]> {
    const rows = await this.client.query<NotificationRow>(
      `SELECT * FROM notifications
       WHERE ($1::uuid IS NULL OR partnership_id = $1) AND ($2::text IS NULL OR status = $2)
       ORDER BY created_at DESC, position DESC, id
       LIMIT $3 OFFSET $4`,
      [query.partnershipId ?? null, query.status ?? null, query.limit, query.offset],
    );
    return this.records(rows);
  }

  async count(query: Omit<NotificationQuery, 'limit' | 'offset'>): Promise<number> {
    const [row] = await this.client.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM notifications
       WHERE ($1::uuid IS NULL OR partnership_id = $1) AND ($2::text IS NULL OR status = $2)`,
      [query.partnershipId ?? null, query.status ?? null],
    );
    return Number(row?.count ?? 0);
  }

  async countByStatus(): Promise<Record<NotificationStatus, number>> {
    const rows = await this.client.query<{ status: NotificationStatus; count: number }>(
      'SELECT status, count(*)::int AS count FROM notifications GROUP BY status',
    );
    const counts = Object.fromEntries(NOTIFICATION_STATUSES.map((status) => [status, 0])) as Record<
      NotificationStatus,
      number
    >;
    for (const row of rows) counts[row.status] = row.count;
    return counts;
  }

  /**
   * A sealed recipient is erased by the deletion of its key already; what is left to do is to stop the
   * messages still to send (or to retry) and to drop the address from rows recorded in clear.
   */
  async eraseRecipients(isForgotten: (email: string) => boolean): Promise<number> {
    const candidates = await this.client.query<{ id: string; recipient_email: string }>(
      `SELECT id, recipient_email FROM notifications
        WHERE recipient_email <> $1 AND (status IN ('queued', 'sending', 'failed') OR recipient_email NOT LIKE 'pii:%')`,
      [ERASED],
    );
    if (candidates.length === 0) return 0;
    const open = await this.sealing.opener(candidates.map((row) => row.recipient_email));
    const forgotten = candidates
      .filter((row) => {
        const email = open(row.recipient_email);
        return isErased(email) || isForgotten(email);
      })
      .map((row) => row.id);
    if (forgotten.length === 0) return 0;
    const rows = await this.client.query<{ id: string }>(
      `UPDATE notifications SET recipient_email = $2, recipient_name = NULL, updated_at = now(),
         last_error = CASE WHEN status IN ('queued', 'sending') THEN 'recipient forgotten' ELSE last_error END,
         status = CASE WHEN status IN ('queued', 'sending') THEN 'skipped' ELSE status END
       WHERE id = ANY($1::uuid[]) RETURNING id`,
      [forgotten, ERASED],
    );
    return rows.length;
  }

  async timer(id: string): Promise<TimerRecord | null> {
    const [row] = await this.client.query<TimerRow>('SELECT * FROM notification_timers WHERE id = $1', [id]);
    return row ? toTimer(row) : null;
  }

  async finishTimer(id: string, status: Exclude<TimerStatus, 'pending'>, outcome: string): Promise<void> {
    await this.client.query(
      `UPDATE notification_timers SET status = $2, outcome = $3, updated_at = now() WHERE id = $1 AND status = 'pending'`,
      [id, status, outcome.slice(0, 1000)],
    );
  }
}

async function insertNotifications(
  tx: SqlExecutor,
  notifications: readonly PlannedNotification[],
): Promise<void> {
  const rows = notifications.map((n) => ({
    id: n.id,
    partnership_id: n.partnershipId,
    source_kind: n.source.kind,
    source_id: n.source.id,
    position: n.position,
    template: n.template,
    subject_id: n.subjectId,
    recipient_email: n.recipient.email,
    recipient_name: n.recipient.name,
    recipient_language: n.recipient.language,
    recipient_organization_id: n.recipient.organizationId,
    not_before: n.notBefore?.toISOString() ?? null,
    job_id: n.id,
  }));
  await tx.query(
    `INSERT INTO notifications (id, partnership_id, source_kind, source_id, position, template, subject_id,
       recipient_email, recipient_name, recipient_language, recipient_organization_id, not_before, job_id)
     SELECT r.id, r.partnership_id, r.source_kind, r.source_id, r.position, r.template, r.subject_id,
       r.recipient_email, r.recipient_name, r.recipient_language, r.recipient_organization_id, r.not_before, r.job_id
     FROM jsonb_to_recordset($1::text::jsonb) AS r(id uuid, partnership_id uuid, source_kind text, source_id uuid,
       position bigint, template text, subject_id text, recipient_email text, recipient_name text,
       recipient_language text, recipient_organization_id uuid, not_before timestamptz, job_id text)
     ON CONFLICT (id) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

async function insertTimers(tx: SqlExecutor, timers: readonly PlannedTimer[]): Promise<void> {
  const rows = timers.map((t) => ({
    id: t.id,
    kind: t.data.kind,
    partnership_id: t.partnershipId,
    due_at: t.dueAt.toISOString(),
    position: t.position,
    data: t.data,
  }));
  await tx.query(
    `INSERT INTO notification_timers (id, kind, partnership_id, due_at, position, data)
     SELECT r.id, r.kind, r.partnership_id, r.due_at, r.position, r.data
     FROM jsonb_to_recordset($1::text::jsonb) AS r(id uuid, kind text, partnership_id uuid, due_at timestamptz,
       position bigint, data jsonb)
     ON CONFLICT (id) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}
