/**
 * Starting an incident from the browser and reading the stats, in Debian's Chromium against the whole product: a
 * refused commander is shown at its field and nothing starts; the fixed form starts the incident and lands on its page,
 * with the signed-in person as reporter; the stats page draws its charts with the same numbers as a table. axe-core on
 * each page, screenshots kept.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { describeInBrowser } from './helpers/chromium.js';
import { artifactsFor, expectAccessible, launchBrowser } from './helpers/page-kit.js';
import { eventually, inPage, openSignedIn } from './helpers/session.js';
import { startWebStack, type WebStack } from './helpers/web-stack.js';
import { waitFor } from '../helpers/wait-for.js';

describeInBrowser('starting an incident and reading the stats', (chromium) => {
  let stack: WebStack;
  let browser: Browser;
  const artifacts = artifactsFor('start-and-stats');

  beforeAll(async () => {
    stack = await startWebStack('browser-start');
    browser = await launchBrowser(chromium);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('starts an incident from the form, after showing a refused field where it is', async () => {
    await inPage(browser, artifacts, async (page) => {
      await openSignedIn(page, stack, 'erin');
      await page.getByRole('link', { name: 'Start an incident' }).first().click();
      await page.waitForURL(`${stack.appUrl}incidents/new`);
      await eventually(() => page.getByLabel('Playbook').locator('option').count()).toBeGreaterThan(1);
      await page.getByLabel('Playbook').selectOption('service-outage');
      await page.getByLabel('Incident name').fill('Login page times out');
      await page.getByLabel('Commander').fill('nosuchuser');
      await page.getByRole('button', { name: 'Start incident' }).click();
      const alert = page.getByRole('alert');
      await eventually(() => alert.textContent()).toContain('The incident was not started');
      expect(await alert.textContent()).toContain('nosuchuser');
      expect(await page.getByLabel('Commander').getAttribute('aria-invalid')).toBe('true');
      expect((await stack.records.list({ text: 'Login page times out' })).items).toHaveLength(0);
      await expectAccessible(page, 'the start form with a refused field');
      await artifacts.shot(page, 'start-refused');

      await page.getByLabel('Commander').fill('');
      await page.getByRole('button', { name: 'Start incident' }).click();
      await page.waitForURL(/\/app\/incidents\/(?!new)[a-z0-9-]+$/);
      const id = new URL(page.url()).pathname.split('/').pop()!;
      await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('Login page times out');
      expect((await stack.incidents.view(id)).reporter).toBe('erin');
    });
  });

  it('reads the stats as charts and as tables', async () => {
    // The stats come from the store's records, written a moment after the incident changes; the page reads them once.
    await waitFor(() => stack.records.list({ text: 'Login page times out' }), (found) => found.items.length === 1, { what: 'the incident started above to be recorded' });
    await inPage(browser, artifacts, async (page) => {
      await openSignedIn(page, stack, 'erin', 'stats?days=7');
      const perDay = page.getByRole('figure', { name: 'Incidents per day' });
      await eventually(() => perDay.getByRole('img').getAttribute('aria-label')).toMatch(/1 reported/);
      await perDay.getByRole('button', { name: 'Show as table: Incidents per day' }).click();
      const table = perDay.getByRole('table');
      await eventually(() => table.isVisible()).toBe(true);
      expect(await table.textContent()).toMatch(/1/);
      await expectAccessible(page, 'the stats page');
      await artifacts.shot(page, 'stats', { docs: true });
    });
  });
});
