/**
 * The web app in Debian's Chromium against the whole product: a person opens the app, is sent to sign in, signs in
 * with Mattermost (the sandbox's own authorize page, a trusted OAuth app), sees the incident they started from chat in
 * "My incidents" and not someone else's, switches to all, filters (by member, by text), opens one, signs out; an operator signs in with an
 * API token; a wrong token is refused in words; the keyboard alone gets through sign-in. Each page is checked with
 * axe-core and kept as a screenshot at 1280 px and on a phone.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser } from './helpers/chromium.js';
import { artifactsFor, expectAccessible, launchBrowser, PHONE } from './helpers/page-kit.js';
import { startWebStack, type WebStack } from './helpers/web-stack.js';
import { startFromChat } from './helpers/chat.js';
import { eventually, focusedText, inPage, signInWithMattermost as signIn } from './helpers/session.js';

describeInBrowser('signing in and the incident list', (chromium) => {
  let stack: WebStack;
  let browser: Browser;
  const artifacts = artifactsFor('sign-in-and-incidents');
  let alicesIncident: string;
  let bobsIncident: string;

  beforeAll(async () => {
    stack = await startWebStack('browser-sign-in');
    browser = await launchBrowser(chromium);
    // Two incidents started from chat: one by alice, one by bob (alice is not in its channel).
    alicesIncident = (await startFromChat(stack, 'alice', 'blank Payments API returns 502')).id;
    bobsIncident = (await startFromChat(stack, 'bob', 'blank Search index stale')).id;
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const signInWithMattermost = (page: Page, username: string) => signIn(page, stack, username);

  it('sends a visitor to sign in, and back to where they were going after signing in with Mattermost', async () => {
    await inPage(browser, artifacts, async (page) => {
      await page.goto(`${stack.appUrl}?scope=mine`);
      await page.waitForURL(/\/app\/sign-in\?return_to=/);
      await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in to Incidents');
      await expectAccessible(page, 'the sign-in page');
      await artifacts.shot(page, 'sign-in');
      await signInWithMattermost(page, 'alice');
      await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('My incidents');
      const rows = page.getByRole('row');
      const shown = async () => ({
        payments: await rows.filter({ hasText: 'Payments API returns 502' }).count(),
        search: await rows.filter({ hasText: 'Search index stale' }).count(),
      });
      await eventually(() => rows.filter({ hasText: 'Payments API returns 502' }).count()).toBe(1);
      // bob's incident is not alice's: not in "mine".
      expect(await rows.filter({ hasText: 'Search index stale' }).count()).toBe(0);
      await expectAccessible(page, 'my incidents');
      await artifacts.shot(page, 'incidents', { docs: true });

      await page.getByRole('radio', { name: 'All incidents' }).check();
      await eventually(() => rows.filter({ hasText: 'Search index stale' }).count()).toBe(1);
      expect(page.url()).toContain('scope=all');
      await page.getByLabel('Member', { exact: true }).fill('bob');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      // Both at once: while the new list loads, the old rows are gone and the new ones not there yet.
      await eventually(shown).toEqual({ payments: 0, search: 1 });
      expect(page.url()).toContain('member=bob');
      await page.getByLabel('Member', { exact: true }).fill('');
      await page.getByLabel('Search', { exact: true }).fill('payments');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await eventually(shown).toEqual({ payments: 1, search: 0 });

      await page.getByLabel('Search', { exact: true }).fill('nothing like this exists');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await eventually(() => page.getByText('No incidents match').count()).toBe(1);
      await artifacts.shot(page, 'no-match');
      await page.getByRole('button', { name: 'Clear filters' }).first().click();
      await page.getByRole('link', { name: /Payments API returns 502/ }).click();
      await page.waitForURL(`${stack.appUrl}incidents/${alicesIncident}`);
      await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('Payments API returns 502');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/app\/sign-in/);
      const me = await page.evaluate("fetch('/api/v1/me').then((response) => response.status)");
      expect(me).toBe(401);
    });
  });

  it('reads well on a phone', async () => {
    await inPage(browser, artifacts, async (page) => {
      await page.goto(stack.appUrl);
      await signInWithMattermost(page, 'bob');
      await eventually(() => page.getByText('Search index stale').count()).toBeGreaterThan(0);
      // Nothing wider than the screen: no sideways scrolling on a phone.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      await expectAccessible(page, 'the list on a phone');
      await artifacts.shot(page, 'incidents-phone');
      expect(bobsIncident).toMatch(/./);
    }, PHONE);
  });

  it('signs an operator in with an API token, and says so in words when the token is wrong', async () => {
    await inPage(browser, artifacts, async (page) => {
      await page.goto(`${stack.appUrl}sign-in`);
      await page.getByLabel('API token', { exact: true }).fill('ict_not-a-real-token-not-a-real-token-000000');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await eventually(() => page.getByText('That token is not known to this API.').count()).toBe(1);
      await expectAccessible(page, 'a refused token');
      await page.getByLabel('API token', { exact: true }).fill(stack.opsToken);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await eventually(() => page.locator('.who').textContent()).toContain('ops');
      // The token is not kept anywhere the page's scripts can read.
      const stored = await page.evaluate<string>('JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie })');
      expect(stored).not.toContain(stack.opsToken);
    });
  });

  it('gets through sign-in with the keyboard alone', async () => {
    await inPage(browser, artifacts, async (page) => {
      await page.goto(`${stack.appUrl}sign-in`);
      await eventually(() => page.getByRole('link', { name: 'Sign in with Mattermost' }).count()).toBe(1);
      // Tab until the Mattermost link has the focus, then Enter; on the sandbox page, Tab to "carol" and Space.
      for (let i = 0; i < 30 && (await focusedText(page)) !== 'Sign in with Mattermost'; i += 1) {
        await page.keyboard.press('Tab');
      }
      expect(await focusedText(page)).toBe('Sign in with Mattermost');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/oauth\/authorize/);
      for (let i = 0; i < 30 && (await focusedText(page)) !== 'carol'; i += 1) {
        await page.keyboard.press('Tab');
      }
      expect(await focusedText(page)).toBe('carol');
      await page.keyboard.press('Space');
      await page.waitForURL(`${stack.appUrl}**`);
      await eventually(() => page.locator('.who').textContent()).toContain('carol');
    });
  });
});
