import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The key in `path`, generated there first if the file does not exist, readable by its owner only.
 * Written aside then linked into place, which fails if the file appeared meanwhile: two processes
 * starting together end up with the same, complete key.
 */
export function loadOrCreateKeyFile(
  path: string,
  generate: () => string,
): { text: string; created: boolean } {
  try {
    return { text: readFileSync(path, 'utf8'), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const aside = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(aside, generate(), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(aside, path);
    return { text: readFileSync(path, 'utf8'), created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { text: readFileSync(path, 'utf8'), created: false };
  } finally {
    unlinkSync(aside);
  }
}
