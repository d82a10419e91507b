/**
 * Refining a playbook from the browser, in Debian's Chromium against the whole product and its playbook store: a
 * mistake (an empty task title) is refused with the problem shown at its line and nothing saved; the fixed playbook
 * saves as a new version, and the versions page shows what changed as a diff. axe-core on each page, screenshots kept.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { describeInBrowser } from './helpers/chromium.js';
import { artifactsFor, expectAccessible, launchBrowser } from './helpers/page-kit.js';
import { eventually, inPage, openSignedIn } from './helpers/session.js';
import { startWebStack, type WebStack } from './helpers/web-stack.js';

describeInBrowser('the playbook editor', (chromium) => {
  let stack: WebStack;
  let browser: Browser;
  const artifacts = artifactsFor('playbook-editor');

  beforeAll(async () => {
    stack = await startWebStack('browser-playbooks');
    browser = await launchBrowser(chromium);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** The stored playbook, as the API has it (not as the page shows it). */
  const storedPlaybook = async (): Promise<{ version: number }> =>
    (await fetch(`${stack.api.url}/api/v1/playbooks/service-outage`, { headers: { authorization: `Bearer ${stack.opsToken}` } })).json() as Promise<{ version: number }>;

  it('shows a mistake at its line, saves nothing, then saves the fix as a new version with its diff', async () => {
    await inPage(browser, artifacts, async (page) => {
      await openSignedIn(page, stack, 'carol');
      await page.getByRole('link', { name: 'Playbooks' }).click();
      await page.getByRole('link', { name: /Service outage/ }).first().click();
      await expectAccessible(page, 'a playbook');
      await page.getByRole('link', { name: 'Edit' }).click();
      const editor = page.getByRole('textbox', { name: 'Playbook (YAML)' });
      await eventually(() => editor.inputValue()).toContain('Acknowledge and take command');
      const version = (await storedPlaybook()).version;

      const original = await editor.inputValue();
      await editor.fill(original.replace('title: Acknowledge and take command', 'title: ""'));
      await page.getByRole('button', { name: 'Save' }).click();
      const problems = page.getByRole('list', { name: 'Problems' });
      await eventually(() => problems.getByRole('link').count()).toBeGreaterThan(0);
      const problem = (await problems.getByRole('link').first().textContent()) ?? '';
      expect(problem).toMatch(/^Line \d+, checklists\[0\]\.tasks\[0\]\.title/);
      await expectAccessible(page, 'the editor with a refused playbook');
      await artifacts.shot(page, 'playbook-problem', { docs: true });
      expect((await storedPlaybook()).version).toBe(version);

      await editor.fill(original.replace('title: Acknowledge and take command', 'title: Acknowledge, then take or hand over command'));
      await page.getByRole('button', { name: 'Save' }).click();
      await eventually(() => page.locator('#playbook-outcome').textContent()).toContain('Saved.');
      expect((await storedPlaybook()).version).toBe(version + 1);

      await page.goto(`${stack.appUrl}playbooks/service-outage/versions?from=${version}&to=${version + 1}`);
      const diff = page.getByRole('table', { name: new RegExp(`Changes from version ${version} to version ${version + 1}`) });
      await eventually(() => diff.locator('.diff-added').count()).toBeGreaterThan(0);
      expect(await diff.locator('.diff-added').first().textContent()).toContain('Acknowledge, then take or hand over command');
      expect(await diff.locator('.diff-removed').first().textContent()).toContain('Acknowledge and take command');
      await expectAccessible(page, 'the versions diff');
      await artifacts.shot(page, 'playbook-diff');
    });
  });

  it('does not offer editing a playbook to someone it does not name, and says why', async () => {
    await inPage(browser, artifacts, async (page) => {
      await openSignedIn(page, stack, 'alice', 'playbooks/service-outage');
      await eventually(() => page.getByText('Only the people this playbook names (and incident admins) may edit or archive it.').count()).toBe(1);
      expect(await page.getByRole('link', { name: 'Edit' }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Export YAML' }).count()).toBe(1);
    });
  });

  it('asks before leaving a playbook with unsaved changes', async () => {
    await inPage(browser, artifacts, async (page) => {
      await openSignedIn(page, stack, 'carol', 'playbooks/blank/edit');
      const editor = page.getByRole('textbox', { name: 'Playbook (YAML)' });
      await eventually(() => editor.inputValue()).toContain('title: Blank');
      // Typed keys, as a person types (a browser asks before unloading only a page someone has interacted with).
      await editor.click();
      await page.keyboard.press('End');
      await page.keyboard.type(' # edited');
      const asked = new Promise<string>((resolve, reject) => {
        setTimeout(() => reject(new Error('no beforeunload prompt within 10 s')), 10_000).unref();
        page.once('dialog', (dialog) => {
          resolve(dialog.type());
          void dialog.accept();
        });
      });
      await page.close({ runBeforeUnload: true });
      expect(await asked).toBe('beforeunload');
    });
  });
});
