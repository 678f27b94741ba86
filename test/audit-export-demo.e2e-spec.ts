import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyExport } from '@passerelle/privacy';
import { DemoLoader } from '../apps/api/src/demo/demo-loader';
import { ROOT } from './support/built-app';
import { TestApp } from './support/test-app';
import { run, verifyExportFile } from './audit-export-support';

/** The tool as the built package ships it: the `bin` of package.json. */
const BIN = join(ROOT, 'dist', 'scripts', 'verify-export.js');

describe('the demo, exported and verified offline', () => {
  let ctx: TestApp;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'passerelle-demo-export-'));
    if (!existsSync(BIN)) await run('npx', ['tsc', '-p', 'tsconfig.build.json']);
    ctx = await TestApp.start();
    await ctx.app.get(DemoLoader).load();
  }, 300_000);
  afterAll(async () => {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('verifies, with the sources and with the built command', async () => {
    const started = performance.now();
    const response = await ctx.as('auditor').get('/api/audit/export').expect(200);
    const exported = performance.now();
    const file = join(dir, 'demo.jsonl');
    writeFileSync(file, response.text);
    const fromSources = await verifyExportFile(file);
    const verified = performance.now();
    expect(fromSources.code).toBe(0);
    const events = response.text.split('\n').filter((line) => line.startsWith('{"kind":"event"')).length;
    expect(fromSources.stdout).toContain(`OK: ${events} events`);

    const built = await run(process.execPath, [BIN, file]);
    const builtDone = performance.now();
    const again = await ctx.as('auditor').get('/api/audit/export').expect(200);
    const exportedAgain = performance.now();
    const inProcess = await verifyExport(again.text.trimEnd().split('\n'));
    const inProcessDone = performance.now();
    // E-mails delivered meanwhile add their records to the log: the second export may be longer.
    expect(inProcess.ok).toBe(true);
    expect(inProcess.events).toBeGreaterThanOrEqual(events);
    expect([built.code, built.stderr]).toEqual([0, '']);
    expect(built.stdout).toContain(`OK: ${events} events`);
    console.info(
      `demo export: ${events} events, ${response.text.length} bytes, exported in ${Math.round(exported - started)} ms; ` +
        `verified in ${Math.round(verified - exported)} ms (npm run verify-export, tsx) and ` +
        `${Math.round(builtDone - verified)} ms (built command), process start included; ` +
        `again: exported in ${Math.round(exportedAgain - builtDone)} ms, verified in ${Math.round(inProcessDone - exportedAgain)} ms in process`,
    );
  });
});
