#!/usr/bin/env node
/**
 * Checks an audit export (`GET /api/audit/export`) offline: no service, no database.
 *
 *   npm run verify-export -- <file|-> [--trust-key <key|file>]… [--json]
 *   npx passerelle-verify-export <file|-> …            (after `npm run build`)
 *
 * Exit code 0 when everything holds, 1 when something does not (the first failure is named), 2 when
 * the file cannot be read or the arguments are wrong. Format and checks: docs/audit-export.md.
 */
import { createReadStream, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfig, register } from 'tsconfig-paths';

const USAGE = 'usage: verify-export <file|-> [--trust-key <public key or file>]… [--json]';

/** Compiled (dist/scripts), the libraries' aliases resolve against dist with the repository's tsconfig paths. */
function registerAliases(): void {
  if (!__filename.endsWith('.js')) return;
  const config = loadConfig(join(__dirname, '..', '..'));
  if (config.resultType === 'success') register({ baseUrl: join(__dirname, '..'), paths: config.paths });
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'trust-key': { type: 'string', multiple: true }, json: { type: 'boolean' } },
  });
  if (positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  registerAliases();
  const { verifyExport } = await import('@passerelle/privacy/export/export-verifier');
  const { describeExportReport } = await import('@passerelle/privacy/export/export-report-text');
  const trustedKeys = (values['trust-key'] ?? []).map((key) =>
    existsSync(key) ? readFileSync(key, 'utf8') : key,
  );
  const pinned = trustedKeys.length > 0;
  const path = positionals[0]!;
  let input: NodeJS.ReadableStream = process.stdin;
  if (path !== '-') {
    try {
      input = createReadStream('', { fd: openSync(path, 'r') });
    } catch (error) {
      console.error(`verify-export: ${(error as Error).message}`);
      return 2;
    }
  }
  const report = await verifyExport(
    createInterface({ input, crlfDelay: Infinity }),
    pinned ? { trustedKeys } : {},
  );
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return report.ok ? 0 : 1;
  }
  for (const line of describeExportReport(report)) console.log(line);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`verify-export: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
