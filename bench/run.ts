/**
 * `npm run bench`: runs the benchmarks, stores each one's section in bench/results/<name>.json, and rebuilds
 * docs/benchmarks.md and its plots (docs/benchmarks/*.svg) from every stored section.
 *
 *   npm run bench                       # every benchmark at its default size
 *   npm run bench -- --full             # the long run
 *   npm run bench -- --smoke            # tiny, for CI: everything goes to a temporary directory (or BENCH_OUT)
 *   npm run bench -- launch capacity    # some of them (also --only launch,capacity)
 *   npm run bench -- --report           # none: only rebuild the page and plots from the stored sections
 *
 * A benchmark is a function from the run's context to a Section (lib/types.ts); add one to BENCHES below.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alertStorm } from './alert-storm.js';
import { capacityBench } from './capacity.js';
import { commandsBench } from './commands.js';
import { launchBench } from './launch.js';
import { soakBench } from './soak.js';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { bundleWorkflows } from './lib/stack.js';
import type { Bench, Mode, Section } from './lib/types.js';
import { renderPlots } from './plots.js';
import { benchmarksPage } from './report.js';

/** Every benchmark, in the order they run and appear on the page. */
const BENCHES: Record<string, Bench> = {
  launch: launchBench,
  commands: commandsBench,
  capacity: capacityBench,
  'alert-storm': alertStorm,
  soak: soakBench,
};

function parseArgs(argv: string[]): { mode: Mode; names: string[] } {
  let mode: Mode = 'default';
  let reportOnly = false;
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--smoke' || arg === '--full') {
      if (mode !== 'default') throw new Error('--smoke and --full do not go together');
      mode = arg === '--smoke' ? 'smoke' : 'full';
    } else if (arg === '--report') {
      reportOnly = true;
    } else if (arg === '--only') {
      names.push(...(argv[++i] ?? '').split(',').filter(Boolean));
    } else if (arg.startsWith('--only=')) {
      names.push(...arg.slice('--only='.length).split(',').filter(Boolean));
    } else if (!arg.startsWith('-')) {
      names.push(arg);
    } else {
      throw new Error(`unknown option ${arg}`);
    }
  }
  const unknown = names.filter((name) => !(name in BENCHES));
  if (unknown.length) throw new Error(`no benchmark named ${unknown.join(', ')}; there are: ${Object.keys(BENCHES).join(', ')}`);
  if (reportOnly && names.length) throw new Error('--report runs no benchmark: name none with it');
  return { mode, names: reportOnly ? [] : names.length ? names : Object.keys(BENCHES) };
}

async function readSection(path: string): Promise<Section | undefined> {
  if (!existsSync(path)) return undefined;
  const section = JSON.parse(await readFile(path, 'utf8')) as Partial<Section>;
  // Results written before the benchmarks had sections (the launch's first format) have no markdown to show.
  return typeof section.markdown === 'string' && Array.isArray(section.goals) ? (section as Section) : undefined;
}

async function main(): Promise<void> {
  // Workers run in this process too (the alert storm's intake, the soak's): the SDK's warnings only, not a line per command.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const { mode, names } = parseArgs(process.argv.slice(2));
  const out =
    process.env.BENCH_OUT ?? (mode === 'smoke' ? await mkdtemp(join(tmpdir(), 'bench-smoke-')) : fileURLToPath(new URL('..', import.meta.url)));
  const resultsDir = mode === 'smoke' || process.env.BENCH_OUT ? join(out, 'results') : join(out, 'bench', 'results');
  const docsDir = mode === 'smoke' || process.env.BENCH_OUT ? out : join(out, 'docs');
  await mkdir(resultsDir, { recursive: true });

  const started = performance.now();
  const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  log(`bench (${mode}): ${names.join(', ') || 'no benchmark, the page only'}; results in ${resultsDir}`);
  const bundle = names.length ? await bundleWorkflows() : undefined;
  const failed: string[] = [];
  try {
    for (const name of names) {
      log(`${name}: starting`);
      try {
        const section = await BENCHES[name]!({ mode, bundle: bundle!, log });
        await writeFile(join(resultsDir, `${name}.json`), `${JSON.stringify(section, null, 2)}\n`);
        const missed = section.goals.filter((g) => !g.met).length;
        log(`${name}: done in ${section.durationSeconds.toFixed(0)} s; ${section.goals.length - missed} goals met, ${missed} missed`);
      } catch (error) {
        failed.push(name);
        log(`${name}: FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
  } finally {
    await bundle?.dispose();
  }

  // The page shows every benchmark's last stored section, not only the ones this run repeated.
  const sections = (await Promise.all(Object.keys(BENCHES).map((name) => readSection(join(resultsDir, `${name}.json`))))).filter(
    (section): section is Section => section !== undefined,
  );
  await renderPlots(sections, join(docsDir, 'benchmarks'));
  await writeFile(join(docsDir, 'benchmarks.md'), benchmarksPage(sections));
  log(`wrote ${join(docsDir, 'benchmarks.md')} and ${sections.reduce((n, s) => n + s.plots.length, 0)} plots`);
  if (failed.length) {
    log(`failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
