import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const MAIN = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');

/** Tests that run the service as a real process use the build; CI builds before testing, locally we build once. */
export function ensureBuilt(): void {
  if (!existsSync(MAIN))
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
}

/** Starts `node dist/apps/api/src/main.js` as `npm start` does, with the given environment. */
export function startService(env: Record<string, string>): ChildProcess {
  ensureBuilt();
  return spawn(process.execPath, ['-r', 'tsconfig-paths/register', MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', TS_NODE_BASEURL: './dist', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Waits for the process to exit; resolves with its code and everything it wrote. */
export function exited(
  child: ChildProcess,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}
