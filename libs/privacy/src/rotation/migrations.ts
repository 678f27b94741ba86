import type { Migration } from '@passerelle/database';

/**
 * Key rotation (see docs/decisions/0006-key-rotation.md).
 *
 * person_keys.wrapped_by: the fingerprint of the DATA_KEY that wrapped the row (null: written before
 * rotation existed, by the key data_key_check named then). data_key_check keeps naming the DATA_KEY in
 * use: the one new person keys are wrapped with.
 * naming_keys: the keys that name subjects and requests, kept from the first DATA_KEY once it is rotated.
 * signing_key_check: the SIGNING_KEY in use (its public key), the one heads are signed with.
 * signing_key_successions: each rotation of the signing key, vouched for by both keys; the previous key
 * is trusted for the heads up to last_position only.
 * key_rotations: the progress of each rotation, so an interrupted one resumes.
 */
export const keyRotationMigration: Migration = {
  id: 'privacy/0003-key-rotation',
  sql: `
ALTER TABLE person_keys ADD COLUMN wrapped_by text;

CREATE TABLE naming_keys (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  wrapped text NOT NULL,
  wrapped_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE signing_key_check (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  public_key text NOT NULL,
  since timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE signing_key_successions (
  previous_public_key text PRIMARY KEY,
  next_public_key text NOT NULL,
  last_position bigint NOT NULL,
  signature_by_previous text NOT NULL,
  signature_by_next text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE key_rotations (
  kind text NOT NULL CHECK (kind IN ('data', 'signing')),
  from_key text NOT NULL,
  to_key text NOT NULL,
  checkpoint text,
  rewrapped integer NOT NULL DEFAULT 0,
  started_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  PRIMARY KEY (kind, from_key, to_key)
);
`,
};
