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

export const privacyMigrations: Migration[] = [
  { id: 'privacy/0001-person-keys', sql: personKeys },
  { id: 'privacy/0002-signed-heads', sql: signedHeads },
  keyRotationMigration,
];
