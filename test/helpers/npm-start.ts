/**
 * `npm start` as the e2e tests run it: scripts/start.ts in a scratch directory of its own (tsx's loader named by its
 * full path), its output collected, ready when it says "Ctrl-C stops everything".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from './free-port.js';
import { waitFor } from './wait-for.js';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const tsxLoader = pathToFileURL(join(projectRoot, 'node_modules/tsx/dist/loader.mjs')).href;

export interface RunningStart {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

export function npmStartRunner(prefix: string) {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  const children: ChildProcess[] = [];

  /** Starts it and returns at once (for a start that is expected to refuse). */
  function spawnStart(env: Record<string, string>): RunningStart {
    const child = spawn(process.execPath, ['--import', tsxLoader, join(projectRoot, 'scripts/start.ts')], {
      cwd: directory,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, output: () => output, exit };
  }

  /** Starts it and waits until it is ready; an early exit throws with its output. */
  async function npmStart(env: Record<string, string>): Promise<RunningStart> {
    const start = spawnStart(env);
    await waitFor(start.output, (text) => text.includes('Ctrl-C stops everything') || start.child.exitCode !== null, {
      timeoutMs: 90_000,
      what: 'npm start to be ready',
    });
    if (start.child.exitCode !== null) throw new Error(`npm start exited early:\n${start.output()}`);
    return start;
  }

  /** Ports that were free a moment ago can be taken by another test file meanwhile: try again with new ones. */
  async function npmStartOnFreePorts(makeEnv: (ports: number[]) => Record<string, string>): Promise<{ start: RunningStart; env: Record<string, string> }> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const env = makeEnv([await freePort(), await freePort(), await freePort()]);
      try {
        return { start: await npmStart(env), env };
      } catch (error) {
        lastError = error;
        if (!/already in use|already listening|address already in use|EADDRINUSE|bind/i.test(String(error))) throw error;
      }
    }
    throw lastError;
  }

  /** Kills what is still running (SIGKILL: npm start's watchdog then stops its dev server) and removes the directory. */
  function cleanUp(): void {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(directory, { recursive: true, force: true });
  }

  /** Another process for cleanUp to kill (a test's own stand-ins). */
  function track(child: ChildProcess): ChildProcess {
    children.push(child);
    return child;
  }

  return { directory, spawnStart, npmStart, npmStartOnFreePorts, track, cleanUp };
}
