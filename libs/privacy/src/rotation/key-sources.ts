import { existsSync, linkSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateKeyFile } from '../key-files';
import { generateDataKey, KeyConfigError } from '../master-key';
import { generateSigningKey } from '../signed-heads';
import { DataKeyRing } from './data-key-ring';
import { SigningKeyRing } from './signing-key-ring';

/**
 * Where a process gets its keys: the configured ones (DATA_KEY, DATA_KEY_PREVIOUS, SIGNING_KEY,
 * SIGNING_KEY_PREVIOUS) or, on the embedded default, the files under DATA_DIR/keys — `data.key` and
 * `signing.key`, generated on first start, and `data.previous.key` / `signing.previous.key` while a
 * rotation staged by `npm run rotate-keys` is under way.
 */
export interface KeySource {
  current?: string;
  previous?: string;
  /** DATA_DIR/keys, when keys not configured come from files there (embedded default). */
  keysDir?: string;
}

export const KEY_FILES = {
  data: { current: 'data.key', previous: 'data.previous.key' },
  signing: { current: 'signing.key', previous: 'signing.previous.key' },
} as const;

type KeyKind = keyof typeof KEY_FILES;

const readOptional = (path: string): string | undefined =>
  existsSync(path) ? readFileSync(path, 'utf8') : undefined;

function keyTexts(
  kind: KeyKind,
  source: KeySource,
  generate: () => string,
): { current: string; previous?: string; generatedAt?: string } {
  if (source.current !== undefined) return { current: source.current, previous: source.previous };
  if (source.keysDir === undefined) throw new KeyConfigError(`No ${kind} key is configured`);
  const path = join(source.keysDir, KEY_FILES[kind].current);
  const { text, created } = loadOrCreateKeyFile(path, generate);
  const previous = source.previous ?? readOptional(join(source.keysDir, KEY_FILES[kind].previous));
  return { current: text, previous, ...(created ? { generatedAt: path } : {}) };
}

export function loadDataKeyRing(source: KeySource): { ring: DataKeyRing; generatedAt?: string } {
  const { current, previous, generatedAt } = keyTexts('data', source, generateDataKey);
  return { ring: DataKeyRing.fromText(current, previous), generatedAt };
}

export function loadSigningKeyRing(source: KeySource): { ring: SigningKeyRing; generatedAt?: string } {
  const { current, previous, generatedAt } = keyTexts('signing', source, generateSigningKey);
  return { ring: SigningKeyRing.fromText(current, previous), generatedAt };
}

/**
 * Stages a rotation of the embedded default's generated keys: each current key file becomes the
 * previous one and a new key is generated in its place. Touches no database, so it may run beside the
 * service; the service completes the rotation when it next starts. Refuses while a previous key file
 * is still there (an earlier rotation not yet completed, or whose old key was not yet put away).
 */
export function stageKeyFileRotation(keysDir: string, kinds: readonly KeyKind[]): string[] {
  for (const kind of kinds) {
    const previous = join(keysDir, KEY_FILES[kind].previous);
    if (existsSync(previous)) {
      throw new KeyConfigError(
        `${previous} exists: an earlier rotation is staged or under way. Start the service to complete it; once it logs that the rotation is complete, move that file off this machine (it opens backups taken before) and run this again`,
      );
    }
    if (!existsSync(join(keysDir, KEY_FILES[kind].current))) {
      throw new KeyConfigError(`${join(keysDir, KEY_FILES[kind].current)} does not exist: nothing to rotate`);
    }
  }
  const staged: string[] = [];
  for (const kind of kinds) {
    const current = join(keysDir, KEY_FILES[kind].current);
    const previous = join(keysDir, KEY_FILES[kind].previous);
    // Linked, not copied: the old key never exists only in a half-written file.
    linkSync(current, previous);
    unlinkSync(current);
    loadOrCreateKeyFile(current, kind === 'data' ? generateDataKey : generateSigningKey);
    staged.push(current);
  }
  return staged;
}

/** Moves a previous key file aside once its rotation is complete, so the next start does not hold it. */
export function retirePreviousKeyFile(keysDir: string, kind: KeyKind, stamp: string): string | null {
  const previous = join(keysDir, KEY_FILES[kind].previous);
  if (!existsSync(previous)) return null;
  const retired = join(keysDir, `${kind}.retired-${stamp}.key`);
  renameSync(previous, retired);
  return retired;
}
