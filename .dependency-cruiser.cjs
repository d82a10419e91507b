/**
 * The layer table of docs/architecture.md, checked on every `npm test` (`npm run check:layers`).
 *
 * An allow-list: an import no rule below allows is an error. Each layer names what it may import, ours and from npm;
 * the process entries (composition roots) are the only modules that wire concrete adapters and stores to the layers that
 * declare the ports. There is no list of excepted files: a file that needs something its layer may not import belongs
 * in another layer.
 */

/** Node's built-ins, which every layer with I/O may use (domain/, formats/ and workflows/ may not). */
const NODE_BUILTINS = { dependencyTypes: ['core'] };

/** A rule allowing `from` to import `to` (both path regexes), optionally only as types. */
function allow(comment, from, to, { typeOnly = false } = {}) {
  return {
    comment,
    from: { path: from },
    to: typeOnly ? { path: to, dependencyTypes: ['type-only'] } : { path: to },
  };
}

/** Node's built-ins for a layer with I/O. */
function builtins(comment, from) {
  return { comment, from: { path: from }, to: NODE_BUILTINS };
}

/** npm packages a layer may use, by package name. */
function npm(comment, from, packages) {
  return { comment, from: { path: from }, to: { dependencyTypes: ['npm', 'npm-dev'], path: `^node_modules/(${packages.join('|')})/` } };
}

const ANY_NPM = { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] };

module.exports = {
  allowedSeverity: 'error',
  allowed: [
    // Each layer may import within itself.
    allow('a layer imports its own modules', '^(domain|formats|workflows|activities|integrations|exports|security|sandbox|store|config|temporal|workers|api)/', '^$1/'),

    // security/: what the processes need to trust each other and the outside (signed payloads, token comparison, the
    // outbound address policy). Node built-ins only; any layer with I/O may use it.
    builtins('security: node built-ins', '^security/'),
    allow('layers with I/O use the security primitives', '^(activities|integrations|exports|api|workers)/', '^security/'),

    // domain/: the incident's rules. Pure: zod only, no I/O, no clock, nothing else of ours.
    npm('domain: zod only', '^domain/', ['zod']),

    // formats/: wire formats and presentation (chat text, exports, payloads, playbook YAML). Pure and deterministic,
    // because workflows render with them.
    allow('formats read the domain they format', '^formats/', '^domain/'),
    npm('formats: zod and yaml', '^formats/', ['zod', 'yaml']),

    // workflows/: deterministic code run in the workflow sandbox.
    allow('workflows run the domain', '^workflows/', '^(domain|formats)/'),
    allow('workflows upsert search attributes', '^workflows/', '^temporal/search-attributes\\.ts$'),
    allow('workflows name activities by their types', '^workflows/', '^activities/', { typeOnly: true }),
    npm('workflows: the workflow SDK', '^workflows/', ['@temporalio/workflow', '@temporalio/common']),

    // activities/: the outside work of an incident, against the ports they declare (activities/ports/).
    allow('activities apply the domain', '^activities/', '^(domain|formats)/'),
    allow('activities query the incident through its message definitions', '^activities/', '^workflows/messages\\.ts$'),
    allow('the export activity writes the post-mortem export', '^activities/', '^exports/'),
    builtins('activities: node built-ins', '^activities/'),
    npm('activities: the activity SDK and tracing', '^activities/', ['@temporalio/activity', '@temporalio/common', '@opentelemetry/api']),

    // integrations/: adapters on each system's npm client, implementing the ports their consumers declare.
    allow('adapters implement the ports of the activities', '^integrations/', '^activities/ports/'),
    allow('adapters implement the front door\'s chat port', '^integrations/', '^api/ports/', { typeOnly: true }),
    // The sign-in port declares the error its callers tell apart (refused or unavailable), so its adapter throws it.
    allow('the sign-in adapter throws its port\'s error', '^integrations/mattermost/oauth-sign-in\\.ts$', '^api/ports/mattermost-sign-in\\.ts$'),
    allow('adapters speak the domain\'s types and formats', '^integrations/', '^(domain|formats)/'),
    builtins('integrations: node built-ins', '^integrations/'),
    { comment: 'integrations: any npm client', from: { path: '^integrations/' }, to: ANY_NPM },

    // exports/: the post-mortem export, the channel's conversation read through the chat port and written in a format,
    // for the export activity and the download route alike.
    allow('exports read through the activities\' ports and write formats', '^exports/', '^(activities/ports|formats|domain)/'),
    builtins('exports: node built-ins', '^exports/'),

    // sandbox/: stand-ins for the real services. Nothing of ours: they model the real APIs, not our code.
    builtins('sandbox: node built-ins', '^sandbox/'),
    npm('sandbox: a web server and websockets', '^sandbox/', ['express', 'ws', 'zod']),

    // store/: the database, implementing the record ports.
    allow('the store keeps domain records', '^store/', '^(domain|formats)/'),
    allow('the store implements the ports of its consumers', '^store/', '^(activities/ports|api/ports)/', { typeOnly: true }),
    builtins('store: node built-ins', '^store/'),
    npm('store: SQL and playbook files', '^store/', ['kysely', 'pg', 'better-sqlite3', 'yaml', 'zod']),

    // config/: what every process shares of the environment, and the logger.
    builtins('config: node built-ins', '^config/'),
    npm('config: schema and logger', '^config/', ['zod', 'pino', 'yaml']),

    // temporal/: the CLI, the dev server, connections, search attributes, tracing, SDK logging. Nothing else of ours.
    builtins('temporal: node built-ins', '^temporal/'),
    // @grpc/grpc-js: the client SDK's transport, whose interceptors the connections' retries are (retry-until-closed.ts).
    npm('temporal: the SDK, its transport, its logger and tracing', '^temporal/', ['@temporalio/[^/]+', '@grpc/grpc-js', 'pino', '@opentelemetry/[^/]+']),

    // api/: the front doors (REST, Mattermost) over one IncidentService and the ports it declares (api/ports/).
    allow('the API validates and answers with the domain', '^api/', '^(domain|formats|config|temporal)/'),
    allow('the API sends the workflows\' messages', '^api/', '^workflows/(messages|alert-group-messages)\\.ts$'),
    allow('the API reads the chat through the activities\' chat port (exports) and knows their failures', '^api/', '^activities/ports/'),
    allow('the API downloads the post-mortem export', '^api/', '^exports/'),
    allow('the API names the store\'s data types', '^api/', '^store/', { typeOnly: true }),
    allow('the API maps the store\'s refusals to HTTP statuses', '^api/', '^store/[a-z-]+-errors\\.ts$'),
    allow('the API names workflow types', '^api/', '^workflows/', { typeOnly: true }),
    builtins('api: node built-ins', '^api/'),
    { comment: 'api: npm packages', from: { path: '^api/' }, to: ANY_NPM },

    // web/: the browser app (built by scripts/build-web.ts, served by api/web/). It talks to the API over HTTP only, so
    // of ours it may name the domain's types (which vanish when it is built), nothing at run time.
    allow('the web app imports its own modules', '^web/', '^web/'),
    allow('the web app names the domain\'s types', '^web/', '^domain/', { typeOnly: true }),
    npm('web: the UI library and its signals', '^web/', ['preact', '@preact/signals']),

    // The composition roots: the process entries wire concrete adapters and stores to the ports.
    allow('the API process wires its adapters and store', '^api/(main|backends)\\.ts$', '^(integrations|store)/'),
    allow('the worker wires everything but the API', '^workers/', '^(domain|formats|workflows|activities|integrations|exports|sandbox|store|config|temporal)/'),
    builtins('workers: node built-ins', '^workers/'),
    { comment: 'workers: npm packages', from: { path: '^workers/' }, to: ANY_NPM },
    allow('scripts, benchmarks and tests compose any layer', '^(scripts|bench|test)/', '.'),
    builtins('scripts, benchmarks and tests: node built-ins', '^(scripts|bench|test)/'),
    { comment: 'scripts, benchmarks and tests: npm packages', from: { path: '^(scripts|bench|test)/' }, to: ANY_NPM },
    { comment: 'configuration files at the root', from: { path: '^[^/]+\\.(ts|js|cjs|mjs)$' }, to: {} },
  ],
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'modules that load each other (types alone do not count: they vanish at compile time)',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'], viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    { name: 'not-to-unresolvable', severity: 'error', comment: 'an import that resolves to nothing', from: {}, to: { couldNotResolve: true } },
    {
      name: 'nothing-imports-web',
      severity: 'error',
      comment: 'the web app is a browser bundle: the processes reach it as files (scripts/build-web.ts), never as modules',
      from: { pathNot: '^(web/|test/unit/web-logic/)' },
      to: { path: '^web/' },
    },
    {
      name: 'web-logic-tests-take-plain-modules',
      severity: 'error',
      comment: 'the unit tests of the web app take its plain logic (.ts), which runs the same in Node; its pages (.tsx) are tested in a browser',
      from: { path: '^test/unit/web-logic/' },
      to: { path: '^web/.*\\.tsx$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.d.ts', '.json'],
    },
  },
};
