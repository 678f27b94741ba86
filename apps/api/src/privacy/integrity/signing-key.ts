import { Logger } from '@nestjs/common';
import { AppConfig } from '@passerelle/config';
import { generateSigningKey, loadOrCreateKeyFile, parseSigningKey, SigningKey } from '@passerelle/privacy';
import { join } from 'node:path';

export const SIGNING_KEY = Symbol('SIGNING_KEY');

/** SIGNING_KEY, or on the embedded default an Ed25519 key generated once into DATA_DIR/keys/signing.key. */
export function loadSigningKey(config: AppConfig): SigningKey {
  if (config.signingKey) return parseSigningKey(config.signingKey);
  const path = join(config.dataDir, 'keys', 'signing.key');
  const { text, created } = loadOrCreateKeyFile(path, generateSigningKey);
  if (created) {
    new Logger('Integrity').warn(`SIGNING_KEY is not set: generated an Ed25519 key into ${path}`);
  }
  return parseSigningKey(text);
}
