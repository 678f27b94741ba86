import { DEVELOPMENT_JWT_SECRET, loadConfig } from '@passerelle/config';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { mintToken } from '@passerelle/application';
import type { Role } from '../../apps/api/src/auth/roles';
import { createApp, initApp, type PasserelleApp } from '../../apps/api/src/bootstrap';
import { DemoLoader } from '../../apps/api/src/demo/demo-loader';

export const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(__dirname, '../..');
const DASHBOARD_SOURCES = join(ROOT, 'apps/dashboard');
const DASHBOARD_BUILD = join(ROOT, 'dist/dashboard/index.html');
export const SCREENSHOTS = join(ROOT, 'test-artifacts/screenshots');

const newestChange = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newestChange(path) : statSync(path).mtimeMs);
  }, 0);

/** Builds the dashboard (as `npm run build` does) when dist/dashboard is missing or older than its sources. */
export function ensureDashboardBuilt(): void {
  if (existsSync(DASHBOARD_BUILD) && statSync(DASHBOARD_BUILD).mtimeMs >= newestChange(DASHBOARD_SOURCES))
    return;
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'apps/dashboard/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '' } },
  );
}

export interface RunningApp {
  app: PasserelleApp;
  baseUrl: string;
  token(role: Role): Promise<string>;
  close(): Promise<void>;
}

/**
 * The whole application on a fresh embedded store with the demo loaded, listening on a free port,
 * on the built-in development secret (so the page's development sign-in is offered).
 */
export async function startApp(): Promise<RunningApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-browser-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    DEMO_DATA: 'true',
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'silent',
  });
  const app = await initApp(await createApp(config, { logger: false }));
  await app.get(DemoLoader).loadIfWanted();
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    token: (role) =>
      mintToken(DEVELOPMENT_JWT_SECRET, { sub: `browser-${role}`, name: `Browser ${role}`, roles: [role] }),
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Debian's chromium, headless; Playwright gives every launch a fresh temporary --user-data-dir of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

const AXE_SOURCE = require.resolve('axe-core/axe.min.js');

/**
 * axe-core's WCAG 2.x A/AA rules and best practices on the page as it stands, as readable lines.
 * The script is evaluated through the DevTools protocol, so the page's CSP (no inline script) stays on.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  const injected = await page.evaluate('typeof window.axe === "object"');
  if (!injected) await page.evaluate(readFileSync(AXE_SOURCE, 'utf8'));
  const violations = (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })))`,
  )) as AxeViolation[];
  return violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .slice(0, 5)
        .map((n) => n.target.join(' '))
        .join(', ')}`,
  );
}
