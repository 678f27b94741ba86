import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { KeyConfigError } from './master-key';

/** The Ed25519 key that signs heads: its own module, so the signer and the key ring share it without a cycle. */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SPKI DER, base64: how heads name their signer. */
  publicKeyText: string;
}

/** SIGNING_KEY: an Ed25519 private key as PEM (PKCS#8) or as the base64 of its PKCS#8 DER. */
export function parseSigningKey(text: string): SigningKey {
  const trimmed = text.trim();
  let privateKey: KeyObject;
  try {
    privateKey = trimmed.startsWith('-----BEGIN')
      ? createPrivateKey({ key: trimmed, format: 'pem' })
      : createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new KeyConfigError('SIGNING_KEY must be an Ed25519 private key, PEM or base64 PKCS#8 DER');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new KeyConfigError(`SIGNING_KEY must be an Ed25519 key, not ${privateKey.asymmetricKeyType}`);
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyText: publicKeyText(publicKey) };
}

/** A new Ed25519 private key, PEM. */
export function generateSigningKey(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export const publicKeyText = (key: KeyObject): string =>
  key.export({ format: 'der', type: 'spki' }).toString('base64');
