/**
 * The web app's production build (scripts/build-web.ts), as `npm run build` makes it: index.html names the hashed JS and
 * CSS that were written, loads nothing from another site (the CSP would block it, and the app must work offline from
 * the internet), and the JS stays under its gzip budget. A budget set below the real size fails the build.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildWeb, WEB_JS_BUDGET_BYTES, type WebBuild } from '../../scripts/build-web.js';

const directory = mkdtempSync(join(tmpdir(), 'web-build-'));
let build: WebBuild;
let html: string;

beforeAll(async () => {
  build = await buildWeb({ outdir: directory, minify: true, sourcemap: false });
  html = readFileSync(join(directory, 'index.html'), 'utf8');
}, 60_000);

afterAll(() => rmSync(directory, { recursive: true, force: true }));

it('writes index.html naming the hashed JS and CSS it wrote, by absolute /app/assets/ paths', () => {
  const script = /<script type="module" src="\/app\/(assets\/main-[A-Z0-9]{8}\.js)"><\/script>/.exec(html)?.[1];
  const stylesheet = /<link rel="stylesheet" href="\/app\/(assets\/styles-[A-Z0-9]{8}\.css)">/.exec(html)?.[1];
  expect(script).toBeDefined();
  expect(stylesheet).toBeDefined();
  expect(existsSync(join(directory, script!))).toBe(true);
  expect(existsSync(join(directory, stylesheet!))).toBe(true);
  expect(build.files.map((file) => file.path).sort()).toEqual([script, stylesheet, 'index.html'].sort());
});

it('loads nothing from another site: no external URL and no inline script or style in index.html', () => {
  expect(html).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  // Our assets, and the empty icon (data:, allowed by img-src) that keeps browsers from asking for /favicon.ico.
  for (const [, url] of html.matchAll(/(?:src|href)="([^"]+)"/g)) expect(url).toMatch(/^(\/app\/assets\/|data:,$)/);
});

it(`keeps the JS under ${WEB_JS_BUDGET_BYTES / 1024} kB gzipped`, () => {
  const script = build.files.find((file) => file.path.endsWith('.js'))!;
  const measured = gzipSync(readFileSync(join(directory, script.path))).length;
  expect(build.jsGzipBytes).toBe(measured);
  expect(measured).toBeGreaterThan(1024);
  expect(measured).toBeLessThanOrEqual(WEB_JS_BUDGET_BYTES);
});

it('fails a build over its budget, naming the size and the budget', async () => {
  const small = mkdtempSync(join(tmpdir(), 'web-build-small-'));
  try {
    await expect(buildWeb({ outdir: small, minify: true, sourcemap: false, budgetBytes: 1024 })).rejects.toThrow(/gzipped, over the 1\.0 kB budget/);
  } finally {
    rmSync(small, { recursive: true, force: true });
  }
}, 60_000);
