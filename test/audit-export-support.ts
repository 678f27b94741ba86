import { execFile } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command-line tool to its end, with its exit code and output. */
export function run(command: string, args: readonly string[]): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      [...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `npm run verify-export -- <file> …`, from the sources (what the npm script runs). */
export const verifyExportFile = (file: string, args: readonly string[] = []): Promise<ToolResult> =>
  run(process.execPath, [require.resolve('tsx/cli'), 'scripts/verify-export.ts', file, ...args]);
