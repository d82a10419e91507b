/**
 * The REST API's OpenAPI 3.1 document, served at GET /api/v1/openapi.json: generated from the same route table and zod
 * schemas that validate every request (zod's JSON Schema output is draft 2020-12, OpenAPI 3.1's dialect), so the
 * contract cannot drift from the code. A test checks that every route the app serves is in it and nothing else is.
 */
import { z } from 'zod';
import { alertmanagerPayloadSchema, genericAlertSchema } from '../formats/alertmanager.js';
import { alertDeliveryQuerySchema } from './alert-routes.js';
import { commands, type CommandName } from '../domain/commands.js';
import { playbookSchema } from '../domain/playbook/schema.js';
import { COMMAND_ROUTES, startRequestSchema, timelineQuerySchema } from './incident-routes.js';
import { duplicatePlaybookSchema, playbookListQuerySchema } from './playbook-routes.js';
import { recordListQuerySchema, statsQuerySchema } from './record-routes.js';

type Method = 'get' | 'post' | 'put';

interface Operation {
  method: Method;
  /** Express style, relative to /api/v1: `/incidents/:id`. */
  path: string;
  summary: string;
  tag: string;
  body?: z.ZodType | { $ref: string } | 'yaml-or-json-playbook';
  query?: z.ZodType;
  /** Success status and what it carries. */
  success: [status: number, description: string];
  scope: 'read' | 'write';
}

const toSchema = (schema: z.ZodType) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

/** The request body of a command: its payload without the fields its path gives. */
function commandBody(name: CommandName, path: string) {
  const fromPath = [...path.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1]!).filter((param) => param !== 'id');
  const schema = toSchema(commands[name].payload) as { properties?: Record<string, unknown>; required?: string[] };
  for (const param of fromPath) delete schema.properties?.[param];
  if (schema.required) schema.required = schema.required.filter((field) => !fromPath.includes(field));
  return schema;
}

const OPERATIONS: Operation[] = [
  { method: 'post', path: '/incidents', summary: 'Start an incident from a playbook (its ID or a whole definition)', tag: 'incidents', body: startRequestSchema, success: [201, 'The incident, started'], scope: 'write' },
  { method: 'get', path: '/incidents', summary: 'List incidents from the store, filtered and paged', tag: 'incidents', query: recordListQuerySchema, success: [200, 'A page of incidents'], scope: 'read' },
  { method: 'get', path: '/incidents/:id', summary: "An incident's view", tag: 'incidents', success: [200, 'The incident'], scope: 'read' },
  { method: 'get', path: '/incidents/:id/timeline', summary: "An incident's timeline, newest last, paged backwards", tag: 'incidents', query: timelineQuerySchema, success: [200, 'Timeline events'], scope: 'read' },
  { method: 'get', path: '/incidents/:id/retrospective', summary: "The incident's retrospective", tag: 'incidents', success: [200, 'The retrospective'], scope: 'read' },
  { method: 'get', path: '/incidents/:id/export', summary: 'The post-mortem export: record, timeline and the channel conversation', tag: 'incidents', query: z.object({ format: z.enum(['markdown', 'md', 'json', 'csv']).optional() }), success: [200, 'A file download'], scope: 'read' },
  { method: 'get', path: '/incidents/:id/events', summary: 'The incident live: server-sent events (text/event-stream), the current view and then one event per change; each event ID is the revision (Last-Event-ID resumes)', tag: 'incidents', success: [200, 'An event stream'], scope: 'read' },
  { method: 'post', path: '/incidents/:id/tasks/:taskId/run-command', summary: "Run a task's slash command in the incident channel as the bot (only triggers TASK_COMMANDS_ALLOWED names; needs the Mattermost front door); answers the view, whose timeline has what it answered (Command-Outcome: ran or failed)", tag: 'incidents', success: [200, 'The incident'], scope: 'write' },
  { method: 'get', path: '/me', summary: 'Who this request is authenticated as (a token, a web sign-in, open mode), and the CSRF token a web session sends with its changes', tag: 'auth', success: [200, 'The caller'], scope: 'read' },
  { method: 'get', path: '/stats', summary: 'MTTA, MTTR and counts for a team and period', tag: 'stats', query: statsQuerySchema, success: [200, 'The stats'], scope: 'read' },
  { method: 'post', path: '/alerts/alertmanager', summary: 'An Alertmanager webhook delivery, taken for its alert group, which starts or joins the group\'s incident (a token with the alerts capability: `write+alerts`)', tag: 'alerts', body: alertmanagerPayloadSchema, query: alertDeliveryQuerySchema, success: [202, 'Accepted (with ?wait=, what the delivery did)'], scope: 'write' },
  { method: 'post', path: '/alerts', summary: 'A generic alert, taken for its alert group, which starts or joins the group\'s incident (a token with the alerts capability: `write+alerts`)', tag: 'alerts', body: genericAlertSchema, query: alertDeliveryQuerySchema, success: [202, 'Accepted (with ?wait=, what the delivery did)'], scope: 'write' },
  { method: 'get', path: '/alert-groups/:id', summary: "An alert group's state: its open incident, deliveries waiting, recent outcomes (a token with the alerts capability, or an admin)", tag: 'alerts', success: [200, 'The alert group'], scope: 'read' },
  { method: 'get', path: '/playbooks', summary: 'List playbooks', tag: 'playbooks', query: playbookListQuerySchema, success: [200, 'A page of playbooks'], scope: 'read' },
  { method: 'get', path: '/playbooks/:id', summary: 'A playbook (JSON, or YAML with Accept: application/yaml)', tag: 'playbooks', success: [200, 'The playbook'], scope: 'read' },
  { method: 'get', path: '/playbooks/:id/versions', summary: "A playbook's versions", tag: 'playbooks', success: [200, 'Its versions'], scope: 'read' },
  { method: 'get', path: '/playbooks/:id/versions/:version', summary: 'One version of a playbook (JSON with its metadata, or the definition as YAML with Accept: application/yaml or ?format=yaml)', tag: 'playbooks', success: [200, 'The playbook at that version'], scope: 'read' },
  { method: 'post', path: '/playbooks', summary: 'Create a playbook (JSON, or YAML with Content-Type: application/yaml)', tag: 'playbooks', body: 'yaml-or-json-playbook', success: [201, 'The playbook, created'], scope: 'write' },
  { method: 'put', path: '/playbooks/:id', summary: 'Replace a playbook (If-Match: the version edited)', tag: 'playbooks', body: 'yaml-or-json-playbook', success: [200, 'The playbook, changed'], scope: 'write' },
  { method: 'post', path: '/playbooks/:id/archive', summary: 'Archive a playbook', tag: 'playbooks', success: [200, 'The playbook'], scope: 'write' },
  { method: 'post', path: '/playbooks/:id/restore', summary: 'Restore an archived playbook', tag: 'playbooks', success: [200, 'The playbook'], scope: 'write' },
  { method: 'post', path: '/playbooks/:id/duplicate', summary: 'Copy a playbook under a new ID', tag: 'playbooks', body: duplicatePlaybookSchema, success: [201, 'The copy'], scope: 'write' },
  ...(Object.entries(COMMAND_ROUTES) as Array<[CommandName, [string, unknown?]]>).map(
    ([name, [path]]): Operation => ({
      method: 'post',
      path,
      summary: commands[name].summary,
      tag: 'commands',
      body: { $ref: `#/components/schemas/${name}` },
      success: [200, 'The incident after the change (or, with Prefer: return=minimal, what changed)'],
      scope: 'write',
    }),
  ),
];

/** The routes the document describes, as `METHOD /path` (Express style, under /api/v1). */
export function documentedRoutes(): string[] {
  return OPERATIONS.map((operation) => `${operation.method.toUpperCase()} ${operation.path}`);
}

const ERROR = { $ref: '#/components/responses/Error' };

function operationObject(operation: Operation) {
  const parameters = [
    ...[...operation.path.matchAll(/:([A-Za-z]+)/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } })),
    ...(operation.query
      ? Object.entries((toSchema(operation.query) as { properties?: Record<string, unknown> }).properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema }))
      : []),
  ];
  const body =
    operation.body === undefined
      ? undefined
      : operation.body === 'yaml-or-json-playbook'
        ? { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Playbook' } }, 'application/yaml': { schema: { type: 'string' } } } }
        : { required: true, content: { 'application/json': { schema: '$ref' in operation.body ? operation.body : toSchema(operation.body) } } };
  return {
    summary: operation.summary,
    tags: [operation.tag],
    operationId: `${operation.method}${operation.path.replace(/[:/-]+([a-zA-Z])/g, (_m, c: string) => c.toUpperCase())}`,
    'x-scope': operation.scope,
    ...(parameters.length ? { parameters } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: {
      [String(operation.success[0])]: { description: operation.success[1], content: { 'application/json': { schema: { type: 'object' } } } },
      '400': ERROR,
      '401': ERROR,
      '403': ERROR,
      ...(operation.path.includes(':id') ? { '404': ERROR } : {}),
      ...(operation.method !== 'get' ? { '409': ERROR, '429': ERROR } : {}),
      '503': ERROR,
    },
  };
}

let cached: Record<string, unknown> | undefined;

export function openApiDocument(): Record<string, unknown> {
  if (cached) return cached;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) {
    const path = `/api/v1${operation.path.replace(/:([A-Za-z]+)/g, '{$1}')}`;
    (paths[path] ??= {})[operation.method] = operationObject(operation);
  }
  const commandSchemas = Object.fromEntries((Object.entries(COMMAND_ROUTES) as Array<[CommandName, [string]]>).map(([name, [path]]) => [name, commandBody(name, path)]));
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Incident Collaboration on Temporal',
      version: '1',
      description: 'Incidents, their commands, playbooks, alerts and stats. Every request carries `Authorization: Bearer <token>` (or the web app\'s session cookie, whose changes also send `X-CSRF-Token`); `x-scope` is the scope an operation needs. Errors are `{"error":{"code","message","problems"?,"fields"?}}`; `fields` gives a refused playbook\'s problems as `{path,message}` (path like `checklists[0].tasks[2].title`, empty for the whole playbook), beside the same problems as `path: message` strings.',
    },
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        ...commandSchemas,
        Playbook: toSchema(playbookSchema),
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                problems: { type: 'array', items: { type: 'string' } },
                fields: {
                  type: 'array',
                  description: 'Each problem at its place in the input (a refused playbook): the path in bracket style, empty for the input as a whole.',
                  items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } },
                },
              },
            },
          },
        },
      },
      responses: {
        Error: { description: 'An error naming what is wrong', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    },
  };
  return cached;
}
