/**
 * Finding the browser the browser tests drive: Debian's Chromium (`apt-get install chromium`), or CHROMIUM_PATH.
 * playwright-core never downloads one (the build machines cannot), and 1.64 speaks the protocol of Chromium 156, the
 * version Debian ships; another major usually works and is named in the output.
 *
 * Without a browser the tier skips with a message saying how to get one, except under CI (.ci/run installs Chromium),
 * where skipping would hide that the tier never ran: there it fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const EXPECTED_MAJOR = 156;
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export interface FoundChromium {
  path: string;
  version: string;
}

let found: FoundChromium | undefined | null = null;

export function findChromium(): FoundChromium | undefined {
  if (found !== null) return found;
  const path = process.env.CHROMIUM_PATH || CANDIDATES.find((candidate) => existsSync(candidate));
  found = undefined;
  if (!path) return found;
  try {
    const version = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
    const major = Number(/(\d+)\.\d+\.\d+/.exec(version)?.[1]);
    if (major !== EXPECTED_MAJOR) console.warn(`[browser] ${version} at ${path}: playwright-core 1.64 expects Chromium ${EXPECTED_MAJOR}; trying it anyway`);
    found = { path, version };
  } catch (error) {
    console.warn(`[browser] ${path} does not run: ${(error as Error).message}`);
  }
  return found;
}

export const NO_CHROMIUM = 'browser tests skipped: no Chromium (apt-get install chromium, or set CHROMIUM_PATH to a Chromium or Chrome binary)';

/** `describe` when a browser is here; a skip with the reason when not (a failure under CI=true). */
export function describeInBrowser(name: string, body: (chromium: FoundChromium) => void): void {
  const chromium = findChromium();
  if (chromium) {
    describe(name, () => body(chromium));
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      it('has a Chromium to run in', () => {
        expect.fail(`${NO_CHROMIUM}; under CI that is a broken setup, not a reason to skip`);
      });
    });
    return;
  }
  console.warn(NO_CHROMIUM);
  describe.skip(name, () => undefined);
}
