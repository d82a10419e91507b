/**
 * The rules test/unit/deployment-files.test.ts holds the deployment files to (docker-compose.yml, Dockerfile,
 * .dockerignore, .env.example): each rule returns the problems it finds, so the test can show a rule passes the real
 * files and catches a broken one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { apiConfigSchema } from '../../api/api-config.js';
import { startConfigSchema } from '../../scripts/start-config.js';
import { workerConfigSchema } from '../../workers/worker-config.js';

export const root = new URL('../../', import.meta.url);
export const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
export const exists = (path: string): boolean => existsSync(new URL(path.replace(/^\.\//, ''), root));

export type Compose = { services: Record<string, any>; [key: string]: any };
export const loadCompose = (text: string): Compose => parse(text, { merge: true }) as Compose;

export const composeText = read('docker-compose.yml');
export const compose = loadCompose(composeText);
export const dockerfile = read('Dockerfile');
export const dockerignore = read('.dockerignore');
export const envExample = read('.env.example');

/** Every variable a process reads: npm start's schema is the API's and the worker's together, plus its dev server's. */
export const CONFIG_VARIABLES = Object.keys(startConfigSchema.shape);
/** What each container's process reads (its schema), all of which compose must pass to it. */
export const PROCESS_VARIABLES: Record<string, string[]> = { api: Object.keys(apiConfigSchema.shape), worker: Object.keys(workerConfigSchema.shape) };
/**
 * What the API and the worker must be given in production: where Temporal and the store are, the credentials without
 * which they refuse to start (SANDBOXES=off), what buttons and dialogs need, and the API's tokens.
 */
export const PRODUCTION_VARIABLES = [
  'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'DATABASE_URL', 'SANDBOXES',
  'MATTERMOST_URL', 'MATTERMOST_BOT_TOKEN', 'MATTERMOST_COMMAND_TOKENS', 'PUBLIC_URL', 'MATTERMOST_ACTION_SECRET',
  'JIRA_URL', 'JIRA_TOKEN', 'JIRA_USERNAME', 'JIRA_PASSWORD', 'ZOOM_ACCOUNT_ID', 'ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET',
  'OPSGENIE_API_KEY', 'API_TOKENS',
];
/** Secrets compose itself insists on (${NAME:?...}): without them the stack cannot start or would start wrong. */
export const COMPOSE_REQUIRED_SECRETS: Record<string, string[]> = {
  postgres: ['POSTGRES_PASSWORD', 'POSTGRES_TEMPORAL_PASSWORD', 'POSTGRES_MATTERMOST_PASSWORD', 'POSTGRES_INCIDENTS_PASSWORD'],
  temporal: ['POSTGRES_TEMPORAL_PASSWORD'],
  mattermost: ['POSTGRES_MATTERMOST_PASSWORD'],
  api: ['POSTGRES_INCIDENTS_PASSWORD', 'API_TOKENS', 'MATTERMOST_ACTION_SECRET', 'WEB_SESSION_SECRET'],
  worker: ['POSTGRES_INCIDENTS_PASSWORD', 'API_TOKENS', 'MATTERMOST_ACTION_SECRET', 'WEB_SESSION_SECRET'],
};
/**
 * Read by @temporalio/envconfig (temporal/connection.ts), not by our configuration schemas. An empty TEMPORAL_API_KEY counts as a
 * key there and turns TLS on, so none of these may be passed through compose as a possibly-empty value.
 */
export const ENVCONFIG_VARIABLES = [
  'TEMPORAL_API_KEY', 'TEMPORAL_TLS', 'TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_CLIENT_KEY_DATA', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA', 'TEMPORAL_TLS_SERVER_NAME', 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
  'TEMPORAL_PROFILE', 'TEMPORAL_CONFIG_FILE',
];
/** Documented variables outside our configuration schemas (README's configuration table). */
export const OTHER_KNOWN_VARIABLES = [...ENVCONFIG_VARIABLES, 'TEMPORAL_CLI_PATH'];
/**
 * Families .env.example may list beyond those: webhook secrets a playbook names (README: INCIDENT_WEBHOOK_SECRET_<NAME>),
 * and compose-only settings of the Postgres (POSTGRES_*) and Mattermost (MM_*) containers, which must then be used by
 * docker-compose.yml.
 */
export const DOCUMENTED_PREFIXES = ['INCIDENT_WEBHOOK_SECRET_'];
export const COMPOSE_ONLY_PREFIXES = ['POSTGRES_', 'MM_'];

export const LONG_RUNNING = ['postgres', 'temporal', 'temporal-ui', 'mattermost', 'api', 'worker'];
export const ONE_SHOTS = ['temporal-schema', 'temporal-setup', 'search-attributes'];
export const WITH_HEALTHCHECK = ['postgres', 'temporal', 'temporal-ui', 'mattermost', 'api'];

// ---- helpers -------------------------------------------------------------------------------------------------------

export interface Interpolation {
  name: string;
  /** '', ':-', '-', ':?' or '?' */
  operator: string;
  argument: string;
}

/** The ${NAME}, ${NAME:-default} and ${NAME:?message} references of a compose value. */
export function interpolations(value: unknown): Interpolation[] {
  const found: Interpolation[] = [];
  for (const match of String(value ?? '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g)) {
    found.push({ name: match[1]!, operator: match[2] ?? '', argument: match[3] ?? '' });
  }
  return found;
}

/** A compose value with every ${...} replaced by its default (what it is when .env leaves the variable unset). */
export function withDefaults(value: unknown): string {
  return String(value ?? '').replace(/\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?(?::?\?[^}]*)?\}/g, (_all, fallback) => fallback ?? '');
}

export function environmentOf(service: any): Record<string, string> {
  const environment = service?.environment ?? {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(environment.map((entry: string) => [entry.split('=')[0], entry.slice(entry.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

export const isOurImage = (service: any): boolean => service?.build !== undefined;

/** Every string value of a parsed document (comments are not values, so a ${...} in a comment is not counted). */
export function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}

/** dist/api/main.js → api/main.ts: the source a compiled entry point comes from. */
export const sourceOf = (distPath: string): string => distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts');

// ---- the rules -----------------------------------------------------------------------------------------------------

/** An image reference pinned to an exact version: name:1.2 or name:1.2.3[-variant]; our own build may be :local. */
export function imageProblems(reference: unknown, builtHere: boolean): string[] {
  const image = String(reference ?? '');
  if (!image) return ['no image'];
  if (image.includes('$')) return [`${image}: the tag comes from a variable`];
  const slash = image.lastIndexOf('/');
  const colon = image.indexOf(':', slash + 1);
  if (colon < 0) return [`${image}: no tag (means latest)`];
  const tag = image.slice(colon + 1).replace(/@sha256:[0-9a-f]{64}$/, '');
  if (builtHere && tag === 'local') return [];
  if (!/^\d+\.\d+(\.\d+)*(-[0-9A-Za-z.]+)*$/.test(tag)) return [`${image}: tag "${tag}" is not an exact version`];
  return [];
}

export function servicesProblems(doc: Compose): string[] {
  const problems: string[] = [];
  const services = doc.services ?? {};
  for (const name of [...LONG_RUNNING, ...ONE_SHOTS]) if (!services[name]) problems.push(`no service "${name}"`);
  for (const name of ONE_SHOTS) {
    if (services[name] && services[name].restart !== 'no') problems.push(`${name}: a one-shot must have restart: "no"`);
  }
  for (const name of LONG_RUNNING) {
    const restart = services[name]?.restart;
    if (services[name] && restart !== 'unless-stopped' && restart !== 'always') problems.push(`${name}: no restart policy`);
  }
  const replicas = Number(services.worker?.deploy?.replicas ?? 1);
  if (!(replicas >= 2)) problems.push(`worker: deploy.replicas is ${replicas}, expected 2 or more`);
  for (const [name, service] of Object.entries<any>(services)) {
    if (service.container_name && name === 'worker') problems.push('worker: container_name prevents replicas');
  }
  const setup = services['search-attributes'];
  if (setup && !JSON.stringify(setup.command ?? '').includes('dist/scripts/setup-search-attributes.js')) {
    problems.push('search-attributes: does not run dist/scripts/setup-search-attributes.js');
  }
  if (setup && !isOurImage(setup)) problems.push('search-attributes: must run our image (it registers our search attributes)');
  for (const name of ['temporal-schema', 'temporal-setup']) {
    if (services[name] && !String(services[name].image ?? '').startsWith('temporalio/admin-tools:')) problems.push(`${name}: not temporalio/admin-tools`);
  }
  const adminTools = String(services['temporal-schema']?.image ?? '').split(':')[1];
  const server = String(services.temporal?.image ?? '').split(':')[1];
  if (adminTools !== server) problems.push(`temporal-schema runs admin-tools ${adminTools} for server ${server}: the schema must match the server`);
  return problems;
}

export function composeImageProblems(doc: Compose): string[] {
  return Object.entries<any>(doc.services ?? {}).flatMap(([name, service]) =>
    imageProblems(service.image, isOurImage(service)).map((problem) => `${name}: ${problem}`),
  );
}

/** Published ports: loopback only. */
export function portProblems(doc: Compose): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries<any>(doc.services ?? {})) {
    if (service.network_mode === 'host') problems.push(`${name}: network_mode host publishes everything`);
    for (const port of service.ports ?? []) {
      if (typeof port === 'object') {
        if (port.host_ip !== '127.0.0.1') problems.push(`${name}: port ${JSON.stringify(port)} is not bound to 127.0.0.1`);
      } else if (!String(port).startsWith('127.0.0.1:')) {
        problems.push(`${name}: port "${port}" is not bound to 127.0.0.1`);
      }
    }
  }
  return problems;
}

export function healthcheckProblems(doc: Compose): string[] {
  const problems: string[] = [];
  const services = doc.services ?? {};
  for (const name of WITH_HEALTHCHECK) {
    const check = services[name]?.healthcheck;
    if (!check || check.disable || !Array.isArray(check.test) || check.test.length < 2 || check.test[0] === 'NONE') {
      problems.push(`${name}: no healthcheck`);
    }
  }
  // Our image's HEALTHCHECK asks the API's /healthz: anything of ours that is not the API must turn it off.
  for (const [name, service] of Object.entries<any>(services)) {
    if (isOurImage(service) && name !== 'api' && service.healthcheck?.disable !== true) {
      problems.push(`${name}: runs our image but not the API, so its healthcheck must be disabled`);
    }
  }
  return problems;
}

/** depends_on in long form, with the condition that fits what is waited for. */
export function dependencyProblems(doc: Compose): string[] {
  const problems: string[] = [];
  const services = doc.services ?? {};
  for (const [name, service] of Object.entries<any>(services)) {
    const dependsOn = service.depends_on ?? {};
    if (Array.isArray(dependsOn)) {
      problems.push(`${name}: depends_on without conditions waits for nothing but the start`);
      continue;
    }
    for (const [target, spec] of Object.entries<any>(dependsOn)) {
      const condition = spec?.condition;
      const dependency = services[target];
      if (!dependency) problems.push(`${name}: depends on unknown service "${target}"`);
      else if (dependency.restart === 'no') {
        if (condition !== 'service_completed_successfully') problems.push(`${name} → ${target}: a one-shot is waited for with service_completed_successfully, not ${condition}`);
      } else if (condition !== 'service_healthy') {
        problems.push(`${name} → ${target}: expected service_healthy, not ${condition}`);
      } else if (!dependency.healthcheck?.test || dependency.healthcheck?.disable) {
        problems.push(`${name} → ${target}: service_healthy on a service without a healthcheck never comes`);
      }
    }
  }
  const waitsFor = (name: string, target: string) => services[name]?.depends_on?.[target] !== undefined;
  const order: Array<[string, string]> = [
    ['temporal-schema', 'postgres'], ['temporal', 'temporal-schema'], ['temporal-setup', 'temporal'],
    ['search-attributes', 'temporal-setup'], ['temporal-ui', 'temporal'], ['mattermost', 'postgres'],
    ['api', 'search-attributes'], ['api', 'postgres'], ['worker', 'search-attributes'], ['worker', 'postgres'],
  ];
  for (const [name, target] of order) if (!waitsFor(name, target)) problems.push(`${name} does not wait for ${target}`);
  return problems;
}

/** What the api and the workers are given. */
export function applicationEnvironmentProblems(doc: Compose): string[] {
  const problems: string[] = [];
  const services = doc.services ?? {};
  for (const name of ['api', 'worker']) {
    const environment = environmentOf(services[name]);
    for (const variable of PROCESS_VARIABLES[name]!) {
      if (!(variable in environment)) problems.push(`${name}: ${variable} is not passed (its configuration schema reads it)`);
    }
    for (const variable of PRODUCTION_VARIABLES) {
      const value = environment[variable];
      if (value === undefined) continue;
      // Either a fixed value of this file or the .env variable of the same name: never another one by mistake.
      const references = interpolations(value).map((reference) => reference.name);
      if (!withDefaults(value) && !references.includes(variable)) problems.push(`${name}: ${variable} is "${value}"`);
    }
    for (const variable of ENVCONFIG_VARIABLES) {
      if (variable in environment) problems.push(`${name}: ${variable} must not be passed through (an empty one changes the TLS setting)`);
    }
    if (withDefaults(environment.SANDBOXES) !== 'off') problems.push(`${name}: SANDBOXES defaults to "${withDefaults(environment.SANDBOXES)}", not off`);
    for (const variable of COMPOSE_REQUIRED_SECRETS[name] ?? []) {
      const required = Object.values(environment).some((value) => interpolations(value).some((reference) => reference.name === variable && reference.operator === ':?'));
      if (!required) problems.push(`${name}: ${variable} is not required with \${${variable}:?...}`);
    }
    // The addresses point at services of this file.
    const host = (url: string) => withDefaults(url).replace(/^[a-z]+:\/\//, '').replace(/^[^@/]*@/, '').split(/[:/]/)[0]!;
    for (const variable of ['TEMPORAL_ADDRESS', 'DATABASE_URL', 'MATTERMOST_URL', 'PUBLIC_URL']) {
      const target = host(environment[variable] ?? '');
      if (!services[target]) problems.push(`${name}: ${variable} points at "${target}", which is no service here`);
    }
    if (withDefaults(environment.MATTERMOST_EVENTS) === 'off' && name === 'api') problems.push('api: MATTERMOST_EVENTS must be on in (exactly) one API');
  }
  if (withDefaults(environmentOf(services.api).API_HOST) !== '0.0.0.0') problems.push('api: API_HOST must be 0.0.0.0 to be reachable from outside its container');
  const publicHost = withDefaults(environmentOf(services.api).PUBLIC_URL).replace(/^[a-z]+:\/\//, '').split(/[:/]/)[0]!;
  const allowed = withDefaults(environmentOf(services.mattermost).MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS).split(/[\s,]+/);
  if (!allowed.includes(publicHost)) problems.push(`mattermost: AllowedUntrustedInternalConnections lacks "${publicHost}" (PUBLIC_URL's host): it would not call the api`);
  for (const [name, variables] of Object.entries(COMPOSE_REQUIRED_SECRETS)) {
    if (name === 'api' || name === 'worker') continue;
    const environment = environmentOf(services[name]);
    for (const variable of variables) {
      const required = Object.values(environment).some((value) => interpolations(value).some((reference) => reference.name === variable && reference.operator === ':?'));
      if (!required) problems.push(`${name}: ${variable} is not required with \${${variable}:?...}`);
    }
  }
  return problems;
}

/** Files and entry points compose refers to exist. */
export function referenceProblems(doc: Compose): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries<any>(doc.services ?? {})) {
    for (const volume of service.volumes ?? []) {
      const source = typeof volume === 'string' ? volume.split(':')[0]! : String(volume.source ?? '');
      if (source.startsWith('./') && !exists(source)) problems.push(`${name}: mounts ${source}, which does not exist`);
    }
    const command = [...(service.entrypoint ?? []), ...(Array.isArray(service.command) ? service.command : [])].map(String);
    for (const part of command) {
      if (/^dist\/.+\.js$/.test(part) && !exists(sourceOf(part))) problems.push(`${name}: runs ${part}, but ${sourceOf(part)} does not exist`);
      // A script of ours mounted into the container: it must be mounted, from a file that exists.
      if (part.endsWith('.sh')) {
        const mount = (service.volumes ?? [])
          .map((volume: unknown) => String(volume).split(':'))
          .find(([source, target]: string[]) => source!.startsWith('./') && (part === target || part.startsWith(`${target}/`)));
        if (!mount || !exists(`${mount[0]}${part.slice(mount[1].length)}`)) problems.push(`${name}: runs ${part}, which is not mounted from this checkout`);
      }
    }
  }
  return problems;
}

export interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions, with continuation lines joined and comments dropped. */
export function instructionsOf(text: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    current += (current ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (!line.endsWith('\\')) {
      if (current) logical.push(current);
      current = '';
    }
  }
  if (current) logical.push(current);
  return logical.map((line) => {
    const [keyword, ...rest] = line.split(/\s+/);
    return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
  });
}

export function dockerfileProblems(text: string): string[] {
  const problems: string[] = [];
  const instructions = instructionsOf(text);
  const froms = instructions.filter((instruction) => instruction.keyword === 'FROM');
  if (froms.length < 2) problems.push(`${froms.length} FROM stage(s): expected a multi-stage build`);
  const stages: string[] = [];
  for (const from of froms) {
    const words = from.args.split(/\s+/).filter((word) => !word.startsWith('--'));
    const image = words[0] ?? '';
    const alias = words[1]?.toUpperCase() === 'AS' ? words[2] : undefined;
    if (!stages.includes(image)) problems.push(...imageProblems(image, false).map((problem) => `FROM ${problem}`));
    if (alias) stages.push(alias);
  }
  if (/alpine/i.test(froms.map((from) => from.args).join(' '))) problems.push('an Alpine base: the Temporal core bridge needs glibc');
  const lastFrom = instructions.lastIndexOf(froms[froms.length - 1]!);
  const final = instructions.slice(lastFrom + 1);
  const start = final.findIndex((instruction) => instruction.keyword === 'CMD' || instruction.keyword === 'ENTRYPOINT');
  if (start < 0) problems.push('the final stage has no CMD or ENTRYPOINT');
  const users = final.slice(0, start < 0 ? undefined : start).filter((instruction) => instruction.keyword === 'USER');
  const user = users[users.length - 1]?.args.split(':')[0];
  if (!user) problems.push('no USER in the final stage before CMD: it would run as root');
  else if (user === 'root' || user === '0') problems.push(`USER ${user} before CMD`);
  if (!final.some((instruction) => instruction.keyword === 'HEALTHCHECK' && !/^NONE\b/i.test(instruction.args))) problems.push('the final stage has no HEALTHCHECK');
  for (const instruction of instructions.filter((each) => each.keyword === 'RUN')) {
    if (/\bnpm\s+(install|i|add|update)\b/.test(instruction.args)) problems.push(`RUN ${instruction.args}: use npm ci (the lock file), never npm install`);
  }
  const runs = instructions.filter((each) => each.keyword === 'RUN').map((each) => each.args);
  if (!runs.some((run) => /\bnpm ci\b/.test(run))) problems.push('no npm ci');
  if (!runs.some((run) => /\bnpm ci\b.*--omit=dev/.test(run))) problems.push('no production-only install (npm ci --omit=dev)');
  if (!runs.some((run) => /\bnpm run build\b/.test(run))) problems.push('no npm run build');
  const copies = final.filter((each) => each.keyword === 'COPY').map((each) => each.args).join('\n');
  for (const needed of ['dist', 'playbooks', 'package.json', 'node_modules']) {
    if (!copies.includes(needed)) problems.push(`the final stage does not copy ${needed}`);
  }
  const command = final.find((instruction) => instruction.keyword === 'CMD')?.args ?? '';
  const entry = /"(dist\/[^"]+\.js)"/.exec(command)?.[1];
  if (!entry || !exists(sourceOf(entry))) problems.push(`CMD ${command}: not a compiled entry point of this project`);
  return problems;
}

export function dockerignoreProblems(text: string): string[] {
  const entries = text.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  return ['.env', 'node_modules', 'dist', '.git', '.data'].filter((needed) => !entries.includes(needed)).map((needed) => `.dockerignore does not exclude ${needed}`);
}

export interface EnvLine {
  name: string;
  value: string;
  active: boolean;
}

/** NAME=value lines of an env file, active or commented out (# NAME=value: listed with its default). */
export function envLines(text: string): EnvLine[] {
  const lines: EnvLine[] = [];
  for (const raw of text.split('\n')) {
    const match = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(raw.trim());
    if (match) lines.push({ name: match[2]!, value: match[3]!.trim(), active: !match[1] });
  }
  return lines;
}

export function envExampleProblems(text: string, doc: Compose): string[] {
  const problems: string[] = [];
  const lines = envLines(text);
  const composeVariables = new Set(stringsOf(doc).flatMap(interpolations).map((reference) => reference.name));
  const listed = new Set(lines.map((line) => line.name));
  for (const variable of CONFIG_VARIABLES) if (!listed.has(variable)) problems.push(`.env.example does not list ${variable} (a configuration schema reads it)`);
  for (const { name } of lines) {
    const known =
      CONFIG_VARIABLES.includes(name) ||
      OTHER_KNOWN_VARIABLES.includes(name) ||
      DOCUMENTED_PREFIXES.some((prefix) => name.startsWith(prefix) && name.length > prefix.length);
    const composeOnly = COMPOSE_ONLY_PREFIXES.some((prefix) => name.startsWith(prefix));
    if (composeOnly && !composeVariables.has(name)) problems.push(`.env.example lists ${name}, which docker-compose.yml does not use`);
    if (!known && !composeOnly) problems.push(`.env.example lists ${name}, which the product does not know`);
  }
  for (const name of composeVariables) {
    if (!listed.has(name)) problems.push(`docker-compose.yml uses \${${name}}, which .env.example does not list`);
  }
  for (const line of lines.filter((each) => each.active)) {
    if (ENVCONFIG_VARIABLES.includes(line.name)) problems.push(`${line.name} is active in .env.example: an empty one still changes the TLS setting`);
    if (/(PASSWORD|SECRET|TOKENS?|_KEY)$/.test(line.name) && line.value !== '') problems.push(`${line.name} ships a value in .env.example: secrets must start empty`);
    // Node's .env parser ends an unquoted value at #.
    if (line.value.includes('#') && !/^".*"$/.test(line.value)) problems.push(`${line.name}: quote a value containing #`);
  }
  for (const line of lines.filter((each) => !each.active && each.value.includes('#'))) {
    if (!/^".*"$/.test(line.value)) problems.push(`${line.name}: quote a value containing # (it would be read as empty once uncommented)`);
  }
  const sandboxes = lines.find((line) => line.name === 'SANDBOXES' && line.active);
  if (sandboxes?.value !== 'off') problems.push(`.env.example must set SANDBOXES=off, not ${sandboxes?.value}`);
  return problems;
}

// ---- the files as shipped --------------------------------------------------------------------------------------------
