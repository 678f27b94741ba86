import type { SqlClient } from '@passerelle/database';
import type { DataKeyRing } from './data-key-ring';
import { rotateDataKey, type DataKeyRotationOptions, type DataKeyRotationResult } from './rotate-data-key';
import { rotateSigningKey, type SigningKeyRing, type SigningKeyRotationResult } from './signing-key-ring';

/** What to rotate: each ring's current key replaces the key the database has in use. */
export interface KeyRotationPlan {
  data?: DataKeyRing;
  signing?: SigningKeyRing;
}

export interface KeyRotationReport {
  signing?: SigningKeyRotationResult;
  data?: DataKeyRotationResult;
  durationMs: number;
}

/** Only rings holding a previous key have something to rotate. */
export const rotationPlan = (data: DataKeyRing, signing: SigningKeyRing): KeyRotationPlan => ({
  ...(data.keys.length > 1 ? { data } : {}),
  ...(signing.keys.length > 1 ? { signing } : {}),
});

/** The signing key first (one transaction), then the data key (batched, resumable). Idempotent. */
export async function rotateKeys(
  client: SqlClient,
  plan: KeyRotationPlan,
  options: DataKeyRotationOptions = {},
): Promise<KeyRotationReport> {
  const started = Date.now();
  const signing = plan.signing ? await rotateSigningKey(client, plan.signing) : undefined;
  const data = plan.data ? await rotateDataKey(client, plan.data, options) : undefined;
  return {
    ...(signing ? { signing } : {}),
    ...(data ? { data } : {}),
    durationMs: Date.now() - started,
  };
}
