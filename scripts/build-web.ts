/**
 * Builds the web app (web/) into a folder the API serves at /app/ (api/web/static.ts): `assets/` with content-hashed
 * JS and CSS, which may be cached forever, and an `index.html` naming them, which is never cached. `npm run build`
 * writes dist/web; `npm start` builds into .data/web before the API starts.
 *
 *     tsx scripts/build-web.ts [outdir]      (default dist/web)
 *
 * The build fails when the JS, gzipped, is over the budget: a phone on a slow network loads all of it before the first
 * page shows.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

/** The JS's size limit, gzipped (the source map left out). */
export const WEB_JS_BUDGET_BYTES = 80 * 1024;

/** Where the browser finds the assets: index.html is served at every /app/ path, so the names are absolute. */
const ASSET_URL_PREFIX = '/app/';

const WEB_SOURCE = fileURLToPath(new URL('../web/', import.meta.url));

export interface BuildWebOptions {
  /** The folder to write; its old assets are removed first. */
  outdir: string;
  minify: boolean;
  /** `inline` for development (one file per asset), `external` writes .map files, false none. */
  sourcemap: 'inline' | 'external' | false;
  /** Keep rebuilding on every change under web/ (index.html rewritten each time) until `stop()` is called. */
  watch?: boolean;
  /** The JS's gzipped size limit; WEB_JS_BUDGET_BYTES unless a test checks the refusal. */
  budgetBytes?: number;
}

export interface BuiltFile {
  /** Relative to the outdir, like `assets/main-3FQ2ZK7A.js`. */
  path: string;
  bytes: number;
  gzipBytes: number;
}

export interface WebBuild {
  outdir: string;
  files: BuiltFile[];
  /** The gzipped size of the JS, without its source map (what the budget is checked on). */
  jsGzipBytes: number;
  /** Ends watching; a no-op when not watching. */
  stop(): Promise<void>;
}

/** Thrown when the JS is over the budget: the build folder is left as written, so it can be inspected. */
export class WebBudgetError extends Error {
  constructor(
    readonly jsGzipBytes: number,
    readonly budgetBytes: number,
  ) {
    super(`the web app's JS is ${kb(jsGzipBytes)} gzipped, over the ${kb(budgetBytes)} budget (scripts/build-web.ts)`);
    this.name = 'WebBudgetError';
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

function esbuildOptions(options: BuildWebOptions): esbuild.BuildOptions & { metafile: true } {
  return {
    entryPoints: [join(WEB_SOURCE, 'main.tsx'), join(WEB_SOURCE, 'styles.css')],
    outdir: options.outdir,
    entryNames: 'assets/[name]-[hash]',
    bundle: true,
    format: 'esm',
    target: ['chrome120', 'firefox120', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(WEB_SOURCE, 'tsconfig.json'),
    minify: options.minify,
    sourcemap: options.sourcemap,
    metafile: true,
    logLevel: 'silent',
  };
}

/** The JS without an inline source map's comment: the map is a development aid the budget does not count. */
function withoutInlineSourceMap(code: Buffer): Buffer {
  const text = code.toString('utf8');
  const at = text.lastIndexOf('\n//# sourceMappingURL=data:');
  return at === -1 ? code : Buffer.from(text.slice(0, at), 'utf8');
}

function indexHtml(script: string, stylesheet: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Incidents</title>',
    // No icon file to serve: an empty one stops the browser asking for /favicon.ico (a 404 in every console).
    '<link rel="icon" href="data:,">',
    `<link rel="stylesheet" href="${ASSET_URL_PREFIX}${stylesheet}">`,
    `<script type="module" src="${ASSET_URL_PREFIX}${script}"></script>`,
    '</head>',
    '<body>',
    '<div id="app"><p class="boot">Loading…</p></div>',
    '<noscript>This app needs JavaScript.</noscript>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Writes index.html for what esbuild wrote, measures the files and checks the budget. */
function finish(outdir: string, metafile: esbuild.Metafile, budgetBytes: number): Omit<WebBuild, 'stop'> {
  const written = Object.keys(metafile.outputs).map((path) => relative(outdir, resolve(path)).split('\\').join('/'));
  const script = written.find((path) => /^assets\/main-[^/]+\.js$/.test(path));
  const stylesheet = written.find((path) => /^assets\/styles-[^/]+\.css$/.test(path));
  if (!script || !stylesheet) throw new Error(`the web build wrote no main JS or no stylesheet (wrote ${written.join(', ') || 'nothing'})`);
  writeFileSync(join(outdir, 'index.html'), indexHtml(script, stylesheet));
  const files = [...written, 'index.html'].map((path) => {
    const content = readFileSync(join(outdir, path));
    return { path, bytes: content.length, gzipBytes: gzipSync(content).length };
  });
  const jsGzipBytes = gzipSync(withoutInlineSourceMap(readFileSync(join(outdir, script)))).length;
  if (jsGzipBytes > budgetBytes) throw new WebBudgetError(jsGzipBytes, budgetBytes);
  return { outdir, files, jsGzipBytes };
}

export async function buildWeb(options: BuildWebOptions): Promise<WebBuild> {
  const outdir = resolve(options.outdir);
  // Hashed names change with every edit: without this the folder would keep every old build.
  rmSync(join(outdir, 'assets'), { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const settings = { ...esbuildOptions(options), outdir };
  const budget = options.budgetBytes ?? WEB_JS_BUDGET_BYTES;
  if (!options.watch) {
    const result = await esbuild.build(settings);
    return { ...finish(outdir, result.metafile, budget), stop: async () => {} };
  }
  // Watching: esbuild builds once at the start, then after every change. The first build is this call's answer; each
  // later one rewrites index.html, and a failed one is reported while the last good build stays served.
  let firstBuild: (result: esbuild.BuildResult<{ metafile: true }>) => void = () => {};
  const first = new Promise<esbuild.BuildResult<{ metafile: true }>>((resolveFirst) => (firstBuild = resolveFirst));
  let started = false;
  const context = await esbuild.context({
    ...settings,
    plugins: [
      {
        name: 'index-html',
        setup(build) {
          build.onEnd((result) => {
            if (!started) {
              started = true;
              firstBuild(result as esbuild.BuildResult<{ metafile: true }>);
              return;
            }
            if (result.errors.length || !result.metafile) {
              console.error(`[web] rebuild failed: ${result.errors.map((error) => error.text).join('; ')}`);
              return;
            }
            try {
              console.log(`[web] rebuilt: ${report(finish(outdir, result.metafile, budget))}`);
            } catch (error) {
              console.error(`[web] ${(error as Error).message}`);
            }
          });
        },
      },
    ],
  });
  await context.watch();
  const result = await first;
  try {
    if (result.errors.length) throw new Error(`the web app did not build: ${result.errors.map((error) => error.text).join('; ')}`);
    return { ...finish(outdir, result.metafile, budget), stop: () => context.dispose() };
  } catch (error) {
    await context.dispose();
    throw error;
  }
}

/** One line: each file with its size and gzipped size. */
export function report(build: Pick<WebBuild, 'files'>): string {
  return build.files.map((file) => `${file.path} ${kb(file.bytes)} (${kb(file.gzipBytes)} gz)`).join(', ');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const outdir = process.argv[2] ?? 'dist/web';
  try {
    const build = await buildWeb({ outdir, minify: true, sourcemap: false });
    console.log(`web app: ${outdir}: ${report(build)}`);
  } catch (error) {
    console.error(`web app build failed: ${(error as Error).message}`);
    process.exit(1);
  }
}
