/**
 * Fails when a package with a known vulnerability is in the production dependency tree.
 *
 *   npm run check:packages                                              # checks ./package-lock.json
 *   npx tsx scripts/check-vulnerable-packages.ts --lockfile other/package-lock.json
 *
 * It reads package-lock.json rather than node_modules or `npm ls`: the lock is what `npm ci` installs in CI and in
 * production, it is committed (so a pull request that brings a package back fails), and reading it needs no subprocess.
 * Entries marked `dev: true` are skipped: they are never installed with `--omit=dev`. Everything else (plain, optional,
 * peer, devOptional) counts as production, because npm installs it there by default.
 *
 * The deny-list is deliberately small and explicit: packages that were removed from this tree on purpose (see
 * docs/security.md, "Dependencies"), each with the affected range and why. `npm audit` is the broad check; this one keeps
 * the specific fixes from being undone by a lock refresh or a new dependency, and works without the advisory database.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface DeniedPackage {
  /** The real package name (an alias such as `request@npm:@cypress/request` is judged by what it really is). */
  name: string;
  /** Affected versions: comparators joined by spaces (all must hold), alternatives joined by `||`. E.g. `<2.5.4 || >=3.0.0 <3.0.4`. */
  range: string;
  reason: string;
}

export const DENY_LIST: readonly DeniedPackage[] = [
  {
    name: 'request',
    // Deprecated since 2020 and never fixed; every version is affected. The maintained fork is @cypress/request.
    range: '*',
    reason: 'CVE-2023-28155: cross-protocol redirect bypasses SSRF protections; request is deprecated and unmaintained (use @cypress/request)',
  },
  {
    name: 'tough-cookie',
    range: '<4.1.3',
    reason: 'CVE-2023-26136: prototype pollution through the cookie jar in rejectPublicSuffixes=false mode (fixed in 4.1.3)',
  },
  {
    name: 'form-data',
    range: '<2.5.4 || >=3.0.0 <3.0.4 || >=4.0.0 <4.0.4',
    reason: 'CVE-2025-7783: predictable multipart boundary from Math.random() allows parameter injection (fixed in 2.5.4, 3.0.4, 4.0.4)',
  },
];

/** The subset of a package-lock.json (lockfileVersion 2 or 3) this check reads. */
export interface LockEntry {
  name?: string;
  version?: string;
  dev?: boolean;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
export interface Lockfile {
  lockfileVersion?: number;
  packages?: Record<string, LockEntry>;
}

export interface Finding {
  name: string;
  version: string;
  /** Where it is installed, e.g. `node_modules/request`. */
  location: string;
  /** Who pulls it in, from the project down, e.g. `opsgenie-sdk > requestretry > request`. */
  via: string;
  range: string;
  reason: string;
}

type Version = [number, number, number, boolean];

function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+.*)?$/.exec(text.trim());
  if (!match) return undefined;
  // Only "is it a prerelease" matters here: 4.0.4-rc.1 is before 4.0.4, so it must still count as affected by "<4.0.4".
  return [Number(match[1]), Number(match[2]), Number(match[3]), match[4] !== undefined];
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  if (a[3] === b[3]) return 0;
  return a[3] ? -1 : 1;
}

/**
 * Whether `version` falls in `range`. Supports `*` and comparators `<`, `<=`, `>`, `>=`, `=` on full versions, which is all
 * the deny-list needs; a version that does not parse counts as affected, so an odd entry is looked at rather than passed.
 */
export function inRange(version: string, range: string): boolean {
  const v = parseVersion(version);
  return range.split('||').some((alternative) => {
    const comparators = alternative.trim().split(/\s+/).filter(Boolean);
    if (comparators.length === 0 || (comparators.length === 1 && comparators[0] === '*')) return true;
    if (!v) return true;
    return comparators.every((comparator) => {
      const match = /^(<=|>=|<|>|=)?(.+)$/.exec(comparator);
      const bound = match && parseVersion(match[2] as string);
      if (!match || !bound) throw new Error(`deny-list range "${range}" has a comparator this check cannot read: "${comparator}"`);
      const d = compare(v, bound);
      switch (match[1]) {
        case '<':
          return d < 0;
        case '<=':
          return d <= 0;
        case '>':
          return d > 0;
        case '>=':
          return d >= 0;
        default:
          return d === 0;
      }
    });
  });
}

/** `node_modules/a/node_modules/@s/b` → `@s/b`. */
function nameFromLocation(location: string): string {
  const i = location.lastIndexOf('node_modules/');
  return i < 0 ? location : location.slice(i + 'node_modules/'.length);
}

/** Where Node would find `dep` when required from the package at `from`: its own node_modules, then each parent's. */
function resolveLocation(packages: Record<string, LockEntry>, from: string, dep: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base ? `${base}/node_modules/${dep}` : `node_modules/${dep}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const i = base.lastIndexOf('/node_modules/');
    base = i < 0 ? '' : base.slice(0, i);
  }
}

/** For each production package, the shortest chain of production dependencies from the project that reaches it. */
function productionChains(packages: Record<string, LockEntry>): Map<string, string[]> {
  const chains = new Map<string, string[]>([['', []]]);
  const queue = [''];
  while (queue.length > 0) {
    const from = queue.shift() as string;
    const entry = packages[from];
    if (!entry) continue;
    // devDependencies are not followed: from the root they are dev-only, and npm never installs a dependency's own.
    const deps = { ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies };
    for (const dep of Object.keys(deps)) {
      const location = resolveLocation(packages, from, dep);
      if (!location || chains.has(location)) continue;
      const target = packages[location] as LockEntry;
      chains.set(location, [...(chains.get(from) as string[]), target.name ?? dep]);
      queue.push(location);
    }
  }
  return chains;
}

/** Every production package in the lock that the deny-list names with an affected version. */
export function findVulnerablePackages(lock: Lockfile, denyList: readonly DeniedPackage[] = DENY_LIST): Finding[] {
  const packages = lock.packages;
  if (!packages || typeof packages !== 'object') {
    throw new Error('package-lock.json has no "packages" section (lockfileVersion 2 or later is needed; run npm install with npm 7+)');
  }
  const chains = productionChains(packages);
  const findings: Finding[] = [];
  for (const [location, entry] of Object.entries(packages)) {
    if (location === '' || entry.dev || entry.link) continue;
    // An alias entry (`"request": "npm:@cypress/request@…"`) carries the real name in `name`; judge the real package.
    const name = entry.name ?? nameFromLocation(location);
    for (const denied of denyList) {
      if (denied.name !== name || !inRange(entry.version ?? '', denied.range)) continue;
      const chain = chains.get(location);
      findings.push({
        name,
        version: entry.version ?? '(no version)',
        location,
        via: chain ? chain.join(' > ') : '(not reachable from the project\'s dependencies; stale lock entry?)',
        range: denied.range,
        reason: denied.reason,
      });
    }
  }
  return findings;
}

export function readLockfile(path: string): Lockfile {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Lockfile;
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

export function formatFindings(findings: Finding[]): string {
  return findings
    .map((f) => `  ${f.name}@${f.version} at ${f.location}\n    via ${f.via}\n    affected: ${f.range}\n    ${f.reason}`)
    .join('\n');
}

function main(): void {
  const flag = process.argv.indexOf('--lockfile');
  const lockPath = flag >= 0 && process.argv[flag + 1]
    ? resolve(process.argv[flag + 1] as string)
    : fileURLToPath(new URL('../package-lock.json', import.meta.url));
  const lock = readLockfile(lockPath);
  const findings = findVulnerablePackages(lock);
  if (findings.length > 0) {
    console.error(
      `Known-vulnerable packages in the production dependency tree (${lockPath}):\n${formatFindings(findings)}\n` +
        'Remove or override them (package.json "overrides"), run npm install, and check again. See docs/security.md, "Dependencies".',
    );
    process.exit(1);
  }
  const checked = Object.entries(lock.packages ?? {}).filter(([location, e]) => location !== '' && !e.dev).length;
  console.log(`No known-vulnerable packages among ${checked} production packages (deny-list: ${DENY_LIST.map((d) => d.name).join(', ')}).`);
}

// Run only as a script; the test imports the functions above.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    main();
  } catch (error) {
    console.error(`check-vulnerable-packages: ${(error as Error).message}`);
    process.exit(2);
  }
}
