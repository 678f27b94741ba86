import type { Migration } from '@passerelle/database';

/**
 * Why readers never skip an event (the gap problem)
 * --------------------------------------------------
 * Positions come from a sequence, so a transaction can take position 7 and commit after the one
 * that took 8; a reader that had seen 8 and moved its checkpoint past 7 would never see 7.
 *
 * reserve_positions(n), the first write of every append transaction, assigns the transaction its
 * id (xid) and takes its positions while holding an advisory lock, released at once. Hence
 * (1) xids and positions are handed out in the same order: if event e1 has a lower position than
 *     event e2 of another transaction, xid(e1) < xid(e2). (It must be the first write: an xid
 *     assigned earlier, outside the lock, could be lower than one handed out in between.)
 * Readers keep only rows with transaction_id < pg_snapshot_xmin(pg_current_snapshot()), and
 * (2) every transaction with an xid below the snapshot's xmin had ended when the snapshot was taken.
 * So if a reader returns e2, any e1 at a lower position has xid(e1) <= xid(e2) < xmin: its
 * transaction had ended, so e1 is either visible and returned too, or rolled back and never
 * exists. What a reader returns is therefore a prefix of the log as it will ever be.
 * The lock covers two calls, not the append, so appends still commit in parallel.
 */
const createEventLog = `
CREATE SEQUENCE events_position_seq AS bigint;

CREATE TABLE streams (
  stream_id text PRIMARY KEY,
  revision bigint NOT NULL CHECK (revision >= 0)
);

CREATE TABLE events (
  global_position bigint PRIMARY KEY,
  stream_id text NOT NULL,
  stream_revision bigint NOT NULL,
  event_id uuid NOT NULL CONSTRAINT events_event_id_key UNIQUE,
  event_type text NOT NULL,
  schema_version integer NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  hash text NOT NULL,
  CONSTRAINT events_stream_revision_key UNIQUE (stream_id, stream_revision)
);

CREATE FUNCTION reserve_positions(n integer) RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
DECLARE
  -- Two-key form: its own lock space, apart from single bigint keys; 1348563827 is 'Pass'.
  lock_class constant integer := 1348563827;
  lock_object constant integer := 'events_position_seq'::regclass::oid::integer;
  positions bigint[];
BEGIN
  IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
    RAISE EXCEPTION 'reserve_positions must be the first write of its transaction';
  END IF;
  PERFORM pg_advisory_lock(lock_class, lock_object);
  BEGIN
    PERFORM pg_current_xact_id();
    SELECT array_agg(nextval('events_position_seq') ORDER BY i) INTO positions FROM generate_series(1, n) AS i;
  EXCEPTION WHEN OTHERS OR query_canceled THEN
    PERFORM pg_advisory_unlock(lock_class, lock_object);
    RAISE;
  END;
  PERFORM pg_advisory_unlock(lock_class, lock_object);
  RETURN QUERY SELECT unnest(positions);
END $$;

-- Opens an append: positions first (see reserve_positions), then the stream row, created or
-- locked (same-stream appends queue here), moved forward by n. The expected revision is checked
-- by the caller against previous_revision (-1: the stream had no events); previous_hash is read
-- after the lock, so it is the hash of the stream's last committed event.
CREATE FUNCTION begin_append(p_stream_id text, n integer,
  OUT positions bigint[], OUT previous_revision bigint, OUT previous_hash text)
LANGUAGE plpgsql AS $$
BEGIN
  SELECT array_agg(p ORDER BY p) INTO positions FROM reserve_positions(n) AS p;
  INSERT INTO streams AS s (stream_id, revision) VALUES (p_stream_id, n - 1)
    ON CONFLICT (stream_id) DO UPDATE SET revision = s.revision + n
    RETURNING s.revision - n INTO previous_revision;
  IF previous_revision >= 0 THEN
    SELECT e.hash INTO previous_hash FROM events AS e
      WHERE e.stream_id = p_stream_id AND e.stream_revision = previous_revision;
  END IF;
END $$;
`;

export const eventStoreMigrations: Migration[] = [{ id: 'event-store/0001-event-log', sql: createEventLog }];
