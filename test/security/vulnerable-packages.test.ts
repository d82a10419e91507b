/**
 * Known-vulnerable packages stay out of the production dependency tree (scripts/check-vulnerable-packages.ts, also
 * `npm run check:packages`): the committed lock is clean, and the checker really does flag what it is meant to.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { findVulnerablePackages, formatFindings, inRange, readLockfile, type Lockfile } from '../../scripts/check-vulnerable-packages.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A lock shaped like the one before the fix: opsgenie-sdk > requestretry > request@2 with its old form-data and tough-cookie. */
function lockWithOldRequest(): Lockfile {
  return {
    lockfileVersion: 3,
    packages: {
      '': { name: 'app', dependencies: { 'opsgenie-sdk': '0.5.1' }, peerDependencies: {} },
      'node_modules/opsgenie-sdk': { version: '0.5.1', dependencies: { requestretry: '^7.0.0' } },
      'node_modules/requestretry': { version: '7.1.0', peerDependencies: { request: '2.*.*' } },
      'node_modules/request': { version: '2.88.2', dependencies: { 'form-data': '~2.3.2', 'tough-cookie': '~2.5.0' } },
      'node_modules/request/node_modules/form-data': { version: '2.3.3' },
      'node_modules/tough-cookie': { version: '2.5.0' },
    },
  };
}

describe('production dependency tree', () => {
  it('holds no package from the deny-list (package-lock.json)', () => {
    const findings = findVulnerablePackages(readLockfile(join(root, 'package-lock.json')));
    expect(findings, `known-vulnerable packages in production:\n${formatFindings(findings)}`).toEqual([]);
  });
});

describe('vulnerable-package checker', () => {
  it('flags request@2.88.2 and the old form-data and tough-cookie under it, naming where they are and who pulls them in', () => {
    const findings = findVulnerablePackages(lockWithOldRequest());
    expect(findings.map((f) => [f.name, f.version, f.location, f.via])).toEqual([
      ['request', '2.88.2', 'node_modules/request', 'opsgenie-sdk > requestretry > request'],
      ['form-data', '2.3.3', 'node_modules/request/node_modules/form-data', 'opsgenie-sdk > requestretry > request > form-data'],
      ['tough-cookie', '2.5.0', 'node_modules/tough-cookie', 'opsgenie-sdk > requestretry > request > tough-cookie'],
    ]);
    expect(findings[0]!.reason).toContain('CVE-2023-28155');
    expect(findings[1]!.reason).toContain('CVE-2025-7783');
    expect(findings[2]!.reason).toContain('CVE-2023-26136');
  });

  it('passes the override: request aliased to @cypress/request with fixed form-data and tough-cookie', () => {
    const lock = lockWithOldRequest();
    lock.packages!['node_modules/request'] = { name: '@cypress/request', version: '4.0.1', dependencies: { 'form-data': '~4.0.4', 'tough-cookie': '^5.0.0' } };
    delete lock.packages!['node_modules/request/node_modules/form-data'];
    lock.packages!['node_modules/form-data'] = { version: '4.0.6' };
    lock.packages!['node_modules/tough-cookie'] = { version: '5.1.2' };
    expect(findVulnerablePackages(lock)).toEqual([]);
  });

  it('ignores dev-only entries and still flags optional and peer ones', () => {
    const lock = lockWithOldRequest();
    lock.packages!['node_modules/request']!.dev = true;
    lock.packages!['node_modules/request/node_modules/form-data']!.dev = true;
    (lock.packages!['node_modules/tough-cookie'] as Record<string, unknown>).optional = true;
    expect(findVulnerablePackages(lock).map((f) => f.name)).toEqual(['tough-cookie']);
  });

  it('judges each form-data and tough-cookie version against the fixed releases', () => {
    const formData = '<2.5.4 || >=3.0.0 <3.0.4 || >=4.0.0 <4.0.4';
    const affected = ['2.3.3', '2.5.3', '3.0.0', '3.0.3', '4.0.0', '4.0.3', '4.0.4-rc.1'];
    const fixed = ['2.5.4', '2.5.6', '3.0.4', '4.0.4', '4.0.6', '5.0.0'];
    expect(affected.filter((v) => !inRange(v, formData))).toEqual([]);
    expect(fixed.filter((v) => inRange(v, formData))).toEqual([]);
    expect([inRange('4.1.2', '<4.1.3'), inRange('4.1.3', '<4.1.3'), inRange('5.1.2', '<4.1.3')]).toEqual([true, false, false]);
    // An unreadable version is looked at, not waved through.
    expect(inRange('not-a-version', '<4.1.3')).toBe(true);
  });

  describe('as a command', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vulnerable-packages-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('exits 1 and names the package, its location and the CVE when one is found', async () => {
      const lockPath = join(dir, 'package-lock.json');
      writeFileSync(lockPath, JSON.stringify(lockWithOldRequest()));
      const run = promisify(execFile)(process.execPath, ['--import', 'tsx', join(root, 'scripts/check-vulnerable-packages.ts'), '--lockfile', lockPath], { cwd: root });
      const failure = await run.then(
        () => undefined,
        (error: { code?: number; stderr?: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toContain('request@2.88.2 at node_modules/request');
      expect(failure?.stderr).toContain('via opsgenie-sdk > requestretry > request');
      expect(failure?.stderr).toContain('CVE-2023-28155');
    });
  });
});
