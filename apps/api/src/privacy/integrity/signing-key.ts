import { Logger } from '@nestjs/common';
import { AppConfig } from '@passerelle/config';
import { loadSigningKeyRing, SigningKey, SigningKeyRing } from '@passerelle/privacy';
import { join } from 'node:path';

/** The configured SIGNING_KEY (the ring's current key). */
export const SIGNING_KEY = Symbol('SIGNING_KEY');
/** Every SIGNING_KEY this process holds (SIGNING_KEY, and SIGNING_KEY_PREVIOUS during a rotation). */
export const SIGNING_KEY_RING = Symbol('SIGNING_KEY_RING');

/**
 * SIGNING_KEY and SIGNING_KEY_PREVIOUS, or on the embedded default the Ed25519 keys under
 * DATA_DIR/keys: signing.key, generated once, and signing.previous.key while a staged rotation runs.
 */
export function loadSigningKeys(config: AppConfig): SigningKeyRing {
  const { ring, generatedAt } = loadSigningKeyRing({
    current: config.signingKey,
    previous: config.signingKeyPrevious,
    keysDir: join(config.dataDir, 'keys'),
  });
  if (generatedAt) {
    new Logger('Integrity').warn(`SIGNING_KEY is not set: generated an Ed25519 key into ${generatedAt}`);
  }
  return ring;
}

/** SIGNING_KEY, or on the embedded default an Ed25519 key generated once into DATA_DIR/keys/signing.key. */
export function loadSigningKey(config: AppConfig): SigningKey {
  return loadSigningKeys(config).current;
}
