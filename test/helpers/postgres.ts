/**
 * A Postgres server for the store's tests, so the same suite runs on SQLite and on Postgres.
 *
 * - `TEST_DATABASE_URL` set: use that server (the URL must allow CREATE DATABASE); every `createDatabase()` makes a
 *   uniquely named database there and `stop()` drops them.
 * - Otherwise, with Postgres's server binaries installed (`initdb` and `pg_ctl` on PATH or in /usr/lib/postgresql/<v>/bin,
 *   as Debian's `postgresql` package puts them): a throwaway cluster in a temp directory, listening on 127.0.0.1 only
 *   with trust auth, removed by `stop()`.
 * - Otherwise: nothing, and the suite is skipped with `POSTGRES_MISSING_MESSAGE` (on CI it fails instead).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** How long a throwaway cluster may take to come up before we give up with its log. */
const CLUSTER_START_TIMEOUT_MS = 30_000;

export const POSTGRES_MISSING_MESSAGE =
  'Postgres store tests skipped: no Postgres found. Install the server binaries (Debian/Ubuntu: `apt-get install postgresql`) ' +
  'or set TEST_DATABASE_URL=postgres://user:password@host:5432/postgres (a role that may CREATE DATABASE).';

export type PostgresSource = { kind: 'url'; url: string } | { kind: 'cluster'; binDir: string };

export interface TestPostgres {
  /** Says where the server came from, for test titles and messages. */
  description: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(): Promise<string>;
  /** Drops the databases created here and, for a throwaway cluster, stops it and removes its directory. */
  stop(): Promise<void>;
}

/** Finds a usable Postgres without starting anything (cheap enough to decide `describe.skipIf` at collection time). */
export function findTestPostgres(): PostgresSource | undefined {
  const url = process.env.TEST_DATABASE_URL?.trim();
  if (url) return { kind: 'url', url };
  const binDir = findServerBinaries();
  return binDir ? { kind: 'cluster', binDir } : undefined;
}

export async function startTestPostgres(source: PostgresSource): Promise<TestPostgres> {
  if (source.kind === 'url') {
    return databasesOn(source.url, 'TEST_DATABASE_URL', async () => {});
  }
  const cluster = await startCluster(source.binDir);
  return databasesOn(cluster.url, `throwaway cluster from ${source.binDir}`, cluster.stop);
}

function findServerBinaries(): string | undefined {
  const hasBoth = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    if (!existsSync(join(dir, 'initdb'))) continue;
    // /usr/local/bin/initdb may be a symlink into the real bin directory, where pg_ctl finds `postgres` next to itself.
    const realDir = dirname(realpathSync(join(dir, 'initdb')));
    if (hasBoth(realDir)) return realDir;
    if (hasBoth(dir)) return dir;
  }
  const debianRoot = '/usr/lib/postgresql';
  if (!existsSync(debianRoot)) return undefined;
  const versions = readdirSync(debianRoot)
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  return versions.map((version) => join(debianRoot, version, 'bin')).find(hasBoth);
}

interface Cluster {
  url: string;
  stop(): Promise<void>;
}

async function startCluster(binDir: string): Promise<Cluster> {
  // initdb refuses to run as root, so root runs the cluster as the `postgres` system user the package creates.
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? systemUser('postgres') : undefined;
  const command = (binary: string, args: string[]): [string, string[]] =>
    owner ? ['runuser', ['-u', 'postgres', '--', join(binDir, binary), ...args]] : [join(binDir, binary), args];

  const root = mkdtempSync(join(tmpdir(), 'incident-store-pg-'));
  if (owner) chownSync(root, owner.uid, owner.gid);
  const dataDir = join(root, 'data');
  const logFile = join(root, 'postgres.log');
  // The cluster's files belong to another user when we are root; run from a directory that user can enter.
  const options = { cwd: root, timeout: CLUSTER_START_TIMEOUT_MS, env: { ...process.env, LC_ALL: 'C.UTF-8' } };
  const removeDirectory = () => rmSync(root, { recursive: true, force: true });

  try {
    await run(...command('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', ...(await icuLocale(binDir, command))]), options);
  } catch (error) {
    removeDirectory();
    throw new Error(`initdb failed in ${root}: ${describeFailure(error)}`, { cause: error });
  }

  const stopCluster = () =>
    run(...command('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']), { ...options, timeout: 15_000 });
  // If the test process dies without stop(), do not leave a postgres running.
  const stopOnExit = () => {
    try {
      execFileSync(...command('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']), { cwd: root, stdio: 'ignore', timeout: 15_000 });
    } catch {
      // already stopped
    }
    removeDirectory();
  };

  // The port is free when we look; another process may take it before postgres binds, so try a few.
  let lastFailure = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const serverOptions = `-c listen_addresses=127.0.0.1 -p ${port} -k ${root} -c fsync=off -c max_connections=100`;
    try {
      await run(
        ...command('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', String(CLUSTER_START_TIMEOUT_MS / 1000), 'start']),
        { ...options, timeout: CLUSTER_START_TIMEOUT_MS + 5_000 },
      );
      process.once('exit', stopOnExit);
      return {
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        stop: async () => {
          process.removeListener('exit', stopOnExit);
          try {
            await stopCluster();
          } finally {
            removeDirectory();
          }
        },
      };
    } catch (error) {
      lastFailure = `${describeFailure(error)}\n--- postgres log ---\n${tail(logFile)}`;
      await stopCluster().catch(() => {});
      if (!/could not bind|address already in use/i.test(lastFailure)) break;
    }
  }
  removeDirectory();
  throw new Error(
    `the throwaway Postgres cluster did not start within ${CLUSTER_START_TIMEOUT_MS / 1000} s (binaries in ${binDir}): ${lastFailure}`,
  );
}

/**
 * Production servers rarely sort text byte by byte (en_US and ICU collations do not); an ICU cluster (Postgres 15+)
 * makes the suite prove that list order does not depend on the server's collation. Older servers use the default.
 */
async function icuLocale(binDir: string, command: (binary: string, args: string[]) => [string, string[]]): Promise<string[]> {
  try {
    const { stdout } = await run(...command('initdb', ['--help']), { timeout: 10_000 });
    return stdout.includes('--locale-provider') ? ['--locale-provider=icu', '--icu-locale=en-US', '--locale=C.UTF-8'] : [];
  } catch {
    return [];
  }
}

function systemUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid) {
    throw new Error(
      `running as root, the test Postgres cluster must run as the "${name}" system user, which does not exist ` +
        '(`apt-get install postgresql` creates it; or set TEST_DATABASE_URL)',
    );
  }
  return { uid: Number(uid), gid: Number(gid) };
}

/** Hands out fresh databases on a server reachable at `adminUrl`. */
function databasesOn(adminUrl: string, description: string, stopServer: () => Promise<void>): TestPostgres {
  const created: string[] = [];
  let counter = 0;
  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    description,
    async createDatabase() {
      const name = `incident_store_test_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
      await admin((client) => client.query(`create database "${name}"`));
      created.push(name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async stop() {
      try {
        if (created.length > 0) {
          await admin(async (client) => {
            for (const name of created.splice(0)) {
              // FORCE (Postgres 13+) drops a database a leaked pool still holds; plain DROP for older servers.
              await client
                .query(`drop database if exists "${name}" with (force)`)
                .catch(() => client.query(`drop database if exists "${name}"`));
            }
          });
        }
      } finally {
        await stopServer();
      }
    },
  };
}

function describeFailure(error: unknown): string {
  const failure = error as { message?: string; stderr?: string; killed?: boolean; signal?: string };
  if (failure.killed) return `timed out (killed with ${failure.signal ?? 'a signal'})`;
  return (failure.stderr?.trim() || failure.message || String(error)).slice(0, 2_000);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log written)';
  }
}
