import type { Migration } from '@passerelle/database';
import { keyRotationMigration } from '../rotation/migrations';

/**
 * person_keys: one data key per subject, wrapped by the master key; deleting the row is what
 * erases the subject's data. forgotten_subjects: the tombstones, so no key is ever made again.
 * data_key_check: the fingerprint of the master key the keys were wrapped with.
 */
const personKeys = `
CREATE TABLE person_keys (
  key_id uuid PRIMARY KEY,
  subject text NOT NULL CONSTRAINT person_keys_subject_key UNIQUE,
  wrapped_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE forgotten_subjects (
  subject text PRIMARY KEY,
  forgotten_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE data_key_check (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  fingerprint text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
`;

/** The heads of the log signed so far (see signed-heads.ts). */
const signedHeads = `
CREATE TABLE signed_heads (
  position bigint PRIMARY KEY,
  digest text NOT NULL,
  streams integer NOT NULL,
  signature text NOT NULL,
  public_key text NOT NULL,
  signed_at timestamptz NOT NULL DEFAULT now()
);
`;

/**
 * erasure_generation: moves on whenever a key is deleted or a subject forgotten, by whatever statement
 * (a forget, a copy of the privacy tables), so that every process holding keys in memory can tell in one
 * read by primary key whether it must let go of them (decision 0018).
 */
const erasureGeneration = `
CREATE TABLE erasure_generation (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  generation bigint NOT NULL
);
INSERT INTO erasure_generation (generation) VALUES (0);

CREATE FUNCTION erasure_generation_next() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE erasure_generation SET generation = generation + 1;
  RETURN NULL;
END $$;

CREATE TRIGGER person_keys_erased AFTER DELETE ON person_keys
  FOR EACH STATEMENT EXECUTE FUNCTION erasure_generation_next();
CREATE TRIGGER subjects_forgotten AFTER INSERT ON forgotten_subjects
  FOR EACH STATEMENT EXECUTE FUNCTION erasure_generation_next();
`;

export const privacyMigrations: Migration[] = [
  { id: 'privacy/0001-person-keys', sql: personKeys },
  { id: 'privacy/0002-signed-heads', sql: signedHeads },
  keyRotationMigration,
  { id: 'privacy/0004-erasure-generation', sql: erasureGeneration },
];
