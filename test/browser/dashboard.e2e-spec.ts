import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import {
  axeViolations,
  CHROMIUM,
  ensureDashboardBuilt,
  launchChromium,
  RunningApp,
  screenshot,
  startApp,
} from './harness';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `Skipping the dashboard browser tests: ${CHROMIUM} is absent (CI installs it through .ci/browser).`,
  );
}

const BLUE = 'Blue economy: PACA clusters and San Diego';
const BIOTECH = 'Biotech: Eurobiomed and San Diego life sciences';
const WIDE = { width: 1440, height: 1000 };

/** Waits until the locator's text matches, then returns it (Playwright's auto-waiting, without @playwright/test). */
async function textOf(locator: Locator, pattern: RegExp, timeout = 15_000): Promise<string> {
  await locator.filter({ hasText: pattern }).first().waitFor({ timeout });
  return (await locator.filter({ hasText: pattern }).first().textContent()) ?? '';
}

/** Waits until the locator matches `count` elements (the page's CSP forbids evaluating strings in it). */
async function countOf(locator: Locator, count: number, timeout = 15_000): Promise<number> {
  const deadline = Date.now() + timeout;
  while ((await locator.count()) !== count && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  return locator.count();
}

async function expectNoAxeViolations(page: Page): Promise<void> {
  // The settled page: an entrance animation (a live item fading in) is checked once it has ended.
  await page.evaluate('Promise.all(document.getAnimations().map((animation) => animation.finished))');
  expect(await axeViolations(page)).toEqual([]);
}

(hasChromium ? describe : describe.skip)('the dashboard in a browser', () => {
  let running: RunningApp;
  let browser: Browser;
  let context: BrowserContext;
  let officer: Page;
  const pageErrors: string[] = [];

  const watch = (page: Page) => {
    page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/Failed to load resource.*40[0-9]/.test(message.text())) {
        pageErrors.push(`${page.url()}: ${message.text()}`);
      }
    });
    return page;
  };

  const devSignIn = async (page: Page, role: string, organization?: string) => {
    await page.goto(running.baseUrl);
    await page.getByRole('heading', { name: 'Development sign-in' }).waitFor();
    await page.getByLabel('Role').selectOption(role);
    if (organization) await page.getByLabel('Acting for').selectOption({ label: organization });
    await page.getByRole('button', { name: 'Sign in as this role' }).click();
    await page.getByRole('heading', { level: 1, name: 'Pipeline' }).waitFor();
  };

  const openPartnership = async (page: Page, title: string) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pipeline' }).click();
    // The list's link, named by the title alone (activity sentences on other pages quote it too).
    await page.locator('table.partnerships').getByRole('link', { name: title, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
  };

  beforeAll(async () => {
    ensureDashboardBuilt();
    running = await startApp();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: WIDE, locale: 'en-US', timezoneId: 'Europe/Paris' });
    officer = watch(await context.newPage());
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  it('is served at / under the CSP, and offers the sign-in with its development option', async () => {
    const response = await officer.goto(running.baseUrl);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await officer.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(await officer.getByLabel('Bearer token').count()).toBe(1);
    await officer.getByRole('heading', { name: 'Development sign-in' }).waitFor();
    await screenshot(officer, 'sign-in');
    await expectNoAxeViolations(officer);
  });

  it('refuses a pasted string that is not a token, beside the field', async () => {
    await officer.getByLabel('Bearer token').fill('not-a-token');
    await officer.getByRole('button', { name: 'Sign in with this token' }).click();
    expect(await textOf(officer.locator('#token-error'), /not a token/)).toContain('three parts');
    expect(await officer.getByLabel('Bearer token').getAttribute('aria-invalid')).toBe('true');
  });

  it('signs an officer in and shows the pipeline as a funnel, with the partnerships', async () => {
    await devSignIn(officer, 'officer');
    const funnel = officer.getByRole('img', { name: /Funnel/ });
    await funnel.waitFor();
    expect(await funnel.getAttribute('aria-label')).toMatch(
      /Proposed 4, Introduced 4, Agreement signed 1, Project active 1, MOU signed 1/,
    );
    const steps = officer.locator('#funnel-title').locator('xpath=ancestor::section').getByRole('table');
    expect(await textOf(steps, /moved on/)).toMatch(/25%/);
    await officer.getByRole('link', { name: BLUE }).waitFor();
    expect(await officer.locator('table.partnerships tbody tr').count()).toBe(4);
    expect(await officer.locator('.who').textContent()).toContain('program officer');
    await screenshot(officer, 'pipeline');
    await expectNoAxeViolations(officer);
  });

  it('filters the pipeline by sector, axis, region and organisation', async () => {
    const rows = officer.locator('table.partnerships tbody tr');
    const funnel = (counts: string) => officer.getByRole('img', { name: `Funnel: ${counts}.` });
    await officer.getByLabel('Sector').selectOption('biotech_health');
    await funnel('Proposed 2, Introduced 2, Agreement signed 0, Project active 0, MOU signed 0').waitFor();
    expect(await countOf(rows, 2)).toBe(2);
    await officer.getByLabel('Collaboration axis').selectOption('investment');
    await funnel('Proposed 1, Introduced 1, Agreement signed 0, Project active 0, MOU signed 0').waitFor();
    expect(await countOf(rows, 1)).toBe(1);
    expect(await rows.textContent()).toContain('California–France Innovation Clusters');

    // Region and organisation: the API filters the funnel and the list alike.
    await officer.getByRole('link', { name: 'Clear the filters' }).click();
    await officer.getByLabel('Region').selectOption('Auvergne-Rhône-Alpes');
    await funnel('Proposed 1, Introduced 1, Agreement signed 0, Project active 0, MOU signed 0').waitFor();
    expect(await countOf(rows, 1)).toBe(1);
    await officer.getByRole('link', { name: 'Clear the filters' }).click();
    await officer.getByLabel('Organisation').selectOption({ label: 'City of San Diego (US)' });
    await funnel('Proposed 1, Introduced 1, Agreement signed 1, Project active 1, MOU signed 1').waitFor();
    expect(await countOf(rows, 1)).toBe(1);
    expect(await rows.textContent()).toContain(BLUE);
    // Met on 10 May 2016, agreement executed on 5 January 2017.
    const steps = officer.locator('#funnel-title').locator('xpath=ancestor::section').getByRole('table');
    expect(await steps.getByRole('row', { name: /^Introduced/ }).textContent()).toContain(
      '100% moved on · median 240 days',
    );
    await officer.getByRole('link', { name: 'Clear the filters' }).click();
    await funnel('Proposed 4, Introduced 4, Agreement signed 1, Project active 1, MOU signed 1').waitFor();
  });

  it('shows where: the California × France heat map and the sectors', async () => {
    await officer.getByRole('link', { name: 'Where' }).click();
    await officer.getByRole('heading', { level: 1, name: 'Where' }).waitFor();
    const map = officer.locator('table.heatmap');
    await map.waitFor();
    const sanDiego = map
      .getByRole('row')
      .filter({ has: officer.getByRole('rowheader', { name: 'City of San Diego' }) });
    expect(await sanDiego.locator('td.heat').filter({ hasText: /^1/ }).count()).toBeGreaterThan(0);
    expect(await textOf(officer.locator('.bars'), /Blue economy/)).toMatch(/Blue economy\s*2/);
    await screenshot(officer, 'where');
    await expectNoAxeViolations(officer);
  });

  it('shows what is happening now and what is coming up', async () => {
    await officer.getByRole('link', { name: 'Now' }).click();
    await officer.getByRole('heading', { level: 1, name: 'Now' }).waitFor();
    await officer.locator('.feed-item').first().waitFor();
    await textOf(officer.locator('#upcoming-title').locator('xpath=ancestor::section'), /Joint XR pilot/);
    await textOf(officer.locator('#upcoming-title').locator('xpath=ancestor::section'), /Eurobiomed–Biocom/);
    await textOf(officer.locator('.live'), /Live/);
    await screenshot(officer, 'now');
    await expectNoAxeViolations(officer);
  });

  it('opens a partnership: parties, meetings, agreements with signatures, projects, MOUs, timeline, history', async () => {
    await openPartnership(officer, BLUE);
    for (const name of [
      'Parties',
      'Meetings',
      'Agreements',
      'Joint projects',
      'Memoranda of understanding',
      'Timeline',
      'Event history',
    ]) {
      await officer.getByRole('heading', { level: 2, name }).waitFor();
    }
    expect(await textOf(officer.locator('.signatories').first(), /signed by/)).toContain(
      'Pôle Mer Méditerranée',
    );
    expect(await officer.locator('.milestones').textContent()).toMatch(
      /PACA delegation at Oceanology International.*reached on/,
    );
    expect(await officer.locator('.partnership-header .badge').textContent()).toBe('MOU signed');
    expect(await officer.locator('table.history tbody tr').count()).toBeGreaterThan(10);
    expect(await officer.locator('table.history').textContent()).toContain('Demo scenario (admin)');
    await screenshot(officer, 'partnership');
    await expectNoAxeViolations(officer);
  });

  it('travels in time with the slider, showing the state folded as of a past event', async () => {
    const slider = officer.getByLabel('Show the state after event');
    await slider.focus();
    await officer.keyboard.press('Home');
    await textOf(officer.getByTestId('time-travel-value'), /revision 0 of/);
    expect(await officer.getByTestId('time-travel-value').textContent()).toContain('Partnership proposed');
    await textOf(officer.locator('.partnership-header .badge'), /^Proposed$/);
    await textOf(officer.locator('.travelling'), /As of revision 0/);
    expect(
      await officer.locator('#agreements-title').locator('xpath=ancestor::section').textContent(),
    ).toContain('None yet.');
    // Step forward to the held meeting: the partnership is then introduced.
    await officer.keyboard.press('ArrowRight');
    await officer.keyboard.press('ArrowRight');
    await textOf(officer.locator('.partnership-header .badge'), /^Introduced$/);
    expect(await officer.getByRole('button', { name: 'Schedule a meeting' }).count()).toBe(0);
    await screenshot(officer, 'partnership-time-travel');
    await expectNoAxeViolations(officer);
    await officer.getByRole('button', { name: 'Back to now' }).click();
    await textOf(officer.locator('.partnership-header .badge'), /^MOU signed$/);
  });

  it('shows the API validation message beside the field', async () => {
    await openPartnership(officer, BIOTECH);
    await officer.getByRole('button', { name: 'Schedule a meeting' }).click();
    const form = officer.locator('form.command-form');
    await form.getByRole('checkbox').first().check();
    await form.getByLabel('Video link').fill('not a link');
    await form.getByRole('button', { name: 'Schedule the meeting' }).click();
    expect(await textOf(officer.locator('#schedule-videoUrl-error'), /URL/)).toContain(
      'videoUrl must be a URL address',
    );
    expect(await form.getByLabel('Video link').getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByLabel('Video link').getAttribute('aria-describedby')).toBe(
      'schedule-videoUrl-error',
    );
    expect(await form.getByRole('alert').textContent()).toContain('Some fields need attention');
    expect(await officer.evaluate('document.activeElement.id')).toBe('schedule-videoUrl');
    await screenshot(officer, 'validation-error');
    await expectNoAxeViolations(officer);
  });

  it('schedules the meeting, and the activity feed of another signed-in tab updates live', async () => {
    // An auditor, signed in by pasting a token, watches the feed in a second tab.
    const auditor = watch(await context.newPage());
    await auditor.goto(running.baseUrl);
    await auditor.getByLabel('Bearer token').fill(await running.token('auditor'));
    await auditor.getByRole('button', { name: 'Sign in with this token' }).click();
    await auditor.getByRole('heading', { level: 1, name: 'Pipeline' }).waitFor();
    await auditor.getByRole('link', { name: 'Now' }).click();
    await auditor.locator('.feed-item').first().waitFor();
    await textOf(auditor.locator('.live'), /Live/);
    await auditor.evaluate('window.__sameDocument = true');
    const before = await auditor.locator('.feed-item').count();

    const form = officer.locator('form.command-form');
    await form.getByLabel('Video link').fill('https://meet.example.org/biotech-follow-up');
    await form.getByLabel('Agenda').fill('Soft-landing programme: first cohort');
    await form.getByRole('button', { name: 'Schedule the meeting' }).click();
    await textOf(officer.locator('.alert-success'), /Recorded \(revision \d+\)/);
    await textOf(officer.locator('.meeting-scheduled'), /Soft-landing programme: first cohort/);

    const fresh = auditor.locator('.feed-item.fresh');
    expect(await textOf(fresh, /Introduction meeting scheduled/)).toContain(BIOTECH);
    expect(await auditor.evaluate('window.__sameDocument === true')).toBe(true);
    expect(await auditor.locator('.feed-item').count()).toBeGreaterThan(before);
    await screenshot(auditor, 'now-live-update');
    await expectNoAxeViolations(auditor);

    // The auditor reads everything, history included, and is offered no command.
    await openPartnership(auditor, BIOTECH);
    await auditor.getByRole('heading', { level: 2, name: 'Event history' }).waitFor();
    await auditor.getByLabel('Show the state after event').waitFor();
    expect(
      await auditor
        .getByRole('button', { name: /Schedule a meeting|Record a signature|Record the outcome/ })
        .count(),
    ).toBe(0);
    await expectNoAxeViolations(auditor);
    await auditor.close();
  });

  it('offers an officer acting for an organisation commands on its partnerships only, signatures for it only', async () => {
    const scopedContext = await browser.newContext({ viewport: WIDE, locale: 'en-US' });
    const scoped = watch(await scopedContext.newPage());
    await devSignIn(scoped, 'officer', 'Biocom (US)');
    expect(await textOf(scoped.locator('.who'), /for Biocom/)).toContain('for Biocom');
    await openPartnership(scoped, BLUE);
    await scoped.getByRole('heading', { level: 2, name: 'Timeline' }).waitFor();
    expect(await scoped.getByRole('button', { name: /Schedule|Record/ }).count()).toBe(0);
    await openPartnership(scoped, BIOTECH);
    await scoped.getByRole('button', { name: 'Schedule a meeting' }).waitFor();
    // Eurobiomed has signed; Biocom's signature is awaited, and only Biocom is offered.
    const agreement = scoped
      .locator('.document')
      .filter({ hasText: 'Eurobiomed–Biocom soft-landing agreement' });
    await agreement.getByRole('button', { name: 'Record a signature' }).click();
    const signFor = agreement.getByLabel('Signing organisation');
    expect(await signFor.locator('option').allTextContents()).toEqual(['Biocom']);
    await expectNoAxeViolations(scoped);
    await agreement.getByRole('button', { name: 'Cancel' }).click();
    await scopedContext.close();
  });

  it('records a past meeting, its outcome and a signature from the page', async () => {
    await officer.getByRole('button', { name: 'Schedule a meeting' }).click();
    const form = officer.locator('form.command-form');
    await form.getByLabel('Starts at').fill('2017-01-10T17:00');
    await form.getByRole('checkbox').first().check();
    await form.getByLabel('Location').fill('Marseille');
    await form.getByRole('button', { name: 'Schedule the meeting' }).click();
    await textOf(officer.locator('.alert-success'), /Recorded/);

    const past = officer.locator('.meeting-scheduled').filter({ hasText: 'Marseille' });
    await past.getByRole('button', { name: 'Record the outcome' }).click();
    await past.getByLabel('Outcome', { exact: true }).selectOption('follow_up');
    await past.getByLabel('Minutes').fill('A second cohort is under discussion.');
    await past.getByRole('button', { name: 'Record the outcome' }).click();
    const held = officer.locator('.meeting-held').filter({ hasText: 'Marseille' });
    expect(await textOf(held, /Will follow up/)).toContain('A second cohort is under discussion.');

    const agreement = officer
      .locator('.document')
      .filter({ hasText: 'Eurobiomed–Biocom soft-landing agreement' });
    await agreement.getByRole('button', { name: 'Record a signature' }).click();
    await agreement.getByLabel('Signer').fill('Chief executive, Biocom');
    await agreement.getByLabel('Signed on').fill('2017-03-01');
    await agreement.getByRole('button', { name: 'Record the signature' }).click();
    // Executed on 1 March 2017 for 36 months: its term ended in 2020, so the expiry timer may already show it.
    await textOf(agreement.locator('.badge'), /^(Executed|Expired)$/);
    expect(await agreement.textContent()).toContain('executed on Mar 1, 2017');
    expect(await agreement.locator('.signatories').textContent()).toContain(
      'signed by Chief executive, Biocom',
    );
    expect(await officer.locator('.partnership-header .badge').textContent()).toBe('Agreement signed');
    await screenshot(officer, 'partnership-after-commands');
  });

  it('offers a viewer no command, no history and no time travel', async () => {
    const viewerContext = await browser.newContext({ viewport: WIDE, locale: 'en-US' });
    const viewer = watch(await viewerContext.newPage());
    await devSignIn(viewer, 'viewer');
    await openPartnership(viewer, BLUE);
    await viewer.getByRole('heading', { level: 2, name: 'Timeline' }).waitFor();
    expect(await viewer.getByRole('button', { name: /Schedule|Record/ }).count()).toBe(0);
    expect(await viewer.getByRole('heading', { name: 'Event history' }).count()).toBe(0);
    expect(await viewer.getByLabel('Show the state after event').count()).toBe(0);
    await expectNoAxeViolations(viewer);
    await viewerContext.close();
  });

  it('speaks French', async () => {
    await officer.getByRole('button', { name: 'Français' }).click();
    await officer.getByRole('link', { name: 'Maintenant' }).waitFor();
    expect(await officer.evaluate('document.documentElement.lang')).toBe('fr');
    await officer.getByRole('heading', { level: 2, name: 'Chronologie' }).waitFor();
    await officer.getByRole('link', { name: 'Pipeline' }).first().click();
    const funnel = officer.getByRole('img', { name: /Entonnoir/ });
    expect(await funnel.getAttribute('aria-label')).toMatch(/Protocole signé 1/);
    await screenshot(officer, 'pipeline-fr');
    await expectNoAxeViolations(officer);
    await officer.getByRole('link', { name: 'Maintenant' }).click();
    await officer.getByRole('heading', { level: 1, name: 'Maintenant' }).waitFor();
    await officer.locator('.feed-item').first().waitFor();
    // The activity in French, as the page asked for it: the agreement signed by its last party just before.
    expect(await textOf(officer.locator('.feed-text[lang="fr"]'), /ont conclu l’accord/)).toContain(
      'ont conclu l’accord «\u00a0Eurobiomed–Biocom soft-landing agreement\u00a0»',
    );
    expect(await officer.locator('.feed-text[lang="en"]').count()).toBe(0);
    await screenshot(officer, 'now-fr');
    await expectNoAxeViolations(officer);
    // Switching back asks for the sentences again, in English.
    await officer.getByRole('button', { name: 'English' }).click();
    await officer.getByRole('link', { name: 'Now' }).waitFor();
    expect(await textOf(officer.locator('.feed-text[lang="en"]'), /executed the agreement/)).toContain(
      'executed the agreement «Eurobiomed–Biocom soft-landing agreement»',
    );
    expect(await countOf(officer.locator('.feed-text[lang="fr"]'), 0)).toBe(0);
  });

  it('fits a phone screen and a wide screen without sideways scrolling', async () => {
    for (const [name, viewport] of [
      ['phone', { width: 375, height: 812 }],
      ['wide', { width: 1920, height: 1080 }],
    ] as const) {
      await officer.setViewportSize(viewport);
      await officer.getByRole('link', { name: 'Pipeline' }).first().click();
      await officer.getByRole('img', { name: /Funnel/ }).waitFor();
      expect(await officer.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
        viewport.width,
      );
      await screenshot(officer, `pipeline-${name}`);
      await openPartnership(officer, BLUE);
      expect(await officer.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
        viewport.width,
      );
      await screenshot(officer, `partnership-${name}`);
      if (name === 'phone') await expectNoAxeViolations(officer);
    }
    await officer.setViewportSize(WIDE);
  });

  it('raised no script error and no CSP violation on the way', () => {
    expect(pageErrors).toEqual([]);
  });
});
