/**
 * What every browser test does to get a page and a person: a fresh browser context (its own cookies) with the page's
 * console kept for failures, sign-in through Mattermost's authorize page (the sandbox's), and patient assertions on
 * what the page shows once its requests answer.
 */
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { DESKTOP } from './page-kit.js';
import type { WebStack } from './web-stack.js';

/** A page condition, polled until it holds (a page renders after its requests answer). */
export const eventually = <T>(read: () => Promise<T> | T, timeout = 15_000) => expect.poll(read, { timeout, interval: 100 });

/** The text of the element that has the keyboard focus. */
export const focusedText = (page: Page) => page.evaluate<string>("document.activeElement?.textContent?.trim() ?? ''");

export async function newPage(browser: Browser, consoleLines: string[], viewport = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ viewport });
  // Shorter than Playwright's 30 s: a step that cannot happen fails inside the test's minute, with its page kept.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${error.message}`));
  return page;
}

/**
 * A test's body in a page of its own (a fresh context: its own cookies): when the body fails, the page's HTML, console
 * and a screenshot are kept; the context is closed after, even when the body already closed the page.
 */
export async function inPage(
  browser: Browser,
  artifacts: { keepFailure(page: Page, consoleLines: string[]): Promise<void> },
  body: (page: Page) => Promise<void>,
  viewport = DESKTOP,
): Promise<void> {
  const consoleLines: string[] = [];
  const page = await newPage(browser, consoleLines, viewport);
  try {
    await body(page);
  } catch (error) {
    await artifacts.keepFailure(page, consoleLines).catch(() => undefined);
    throw error;
  } finally {
    await page.context().close().catch(() => undefined);
  }
}

/** From the sign-in page: "Sign in with Mattermost", then the user on the sandbox's "sign in as" page (a trusted app: no consent). */
export async function signInWithMattermost(page: Page, stack: WebStack, username: string): Promise<void> {
  await page.getByRole('link', { name: 'Sign in with Mattermost' }).click();
  await page.getByRole('button', { name: username, exact: true }).click();
  await page.waitForURL(`${stack.appUrl}**`);
  await eventually(() => page.locator('.who').textContent()).toContain(username);
}

/** Opens a path of the app as a person: sent to sign in first, then back to the path. */
export async function openSignedIn(page: Page, stack: WebStack, username: string, path = ''): Promise<void> {
  await page.goto(`${stack.appUrl}${path}`);
  await page.waitForURL(/\/app\/sign-in/);
  await signInWithMattermost(page, stack, username);
  await page.waitForURL(`${stack.appUrl}${path}`);
}
