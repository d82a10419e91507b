/**
 * What every browser test does with its page: launch Debian's Chromium headless, keep screenshots of each step (and the
 * page's HTML and console when a test fails) under test-artifacts/browser/<test>/, and check each page with axe-core
 * (serious or critical findings fail the test, each named with the element it concerns).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { FoundChromium } from './chromium.js';

const root = new URL('../../..', import.meta.url).pathname;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export function launchBrowser(chromium: FoundChromium): Promise<Browser> {
  // --no-sandbox: the build machines run as root in a container, where Chromium's own sandbox cannot start.
  return playwright.launch({ executablePath: chromium.path, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** Where a test's screenshots go (emptied first): test-artifacts/browser/<name>/, or WEB_SCREENSHOTS_TO for the docs. */
export function artifactsFor(name: string): { dir: string; shot(page: Page, step: string, options?: { docs?: boolean }): Promise<void>; keepFailure(page: Page, consoleLines: string[]): Promise<void> } {
  const dir = join(root, 'test-artifacts', 'browser', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let count = 0;
  return {
    dir,
    async shot(page, step, options = {}) {
      count += 1;
      await page.screenshot({ path: join(dir, `${String(count).padStart(2, '0')}-${step}.png`), fullPage: true });
      // `npm run web:screenshots` refreshes the few the docs show (the visible part of the page, as a reader sees it).
      const docs = process.env.WEB_SCREENSHOTS_TO;
      if (docs && options.docs) {
        mkdirSync(join(root, docs), { recursive: true });
        await page.screenshot({ path: join(root, docs, `web-${step}.png`) });
      }
    },
    async keepFailure(page, consoleLines) {
      writeFileSync(join(dir, 'console.log'), consoleLines.join('\n'));
      const html = await page.content().catch(() => undefined);
      if (html) writeFileSync(join(dir, 'failure.html'), html);
      await page.screenshot({ path: join(dir, 'failure.png'), fullPage: true }).catch(() => undefined);
    },
  };
}

interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core on the page as it is now: no serious or critical findings. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  // Evaluated through the DevTools protocol, not a <script> tag: the app's CSP (script-src 'self') would refuse an inline one.
  if (!(await page.evaluate('typeof axe === "object"'))) await page.evaluate(axeSource);
  // Strings, not functions: this file is type-checked for Node, where the page's globals do not exist.
  const findings = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations)")) as AxeFinding[];
  const serious = findings
    .filter((finding) => finding.impact === 'serious' || finding.impact === 'critical')
    .map((finding) => `${finding.id} (${finding.impact}): ${finding.help} at ${finding.nodes.map((node) => node.target.join(' ')).slice(0, 3).join(', ')}`);
  expect(serious, `accessibility of ${what}`).toEqual([]);
}
