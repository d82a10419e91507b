/**
 * A contract-faithful fake of the slice of Jira's REST API v2 that the incident service uses through `jira-client`:
 * create and read issues, comments, workflow transitions, a small JQL subset for search, and /myself.
 *
 * Routes (under `${base}/rest/api/2`, all behind Bearer or Basic auth):
 *   POST /issue                       create (201 {id,key,self}; 400 with one `errors` entry per bad field, e.g.
 *                                     `components: "Component name 'X' is not valid"` in a project that lists its components)
 *   GET  /issue/{idOrKey}             read (404 in Jira's shape)
 *   POST /issue/{idOrKey}/comment     add a comment (201 comment)
 *   GET  /issue/{idOrKey}/comment     list comments
 *   GET  /issue/{idOrKey}/transitions the transitions offered
 *   POST /issue/{idOrKey}/transitions apply one (204, empty body; unknown id -> 400)
 *   POST /search, GET /search         JQL: `labels = x [AND project = KEY] [ORDER BY created ASC|DESC]`
 *   GET  /myself                      the authenticated user
 *
 * Errors always have Jira's shape `{"errorMessages":[...],"errors":{...}}`: jira-client turns any error status into
 * `Error(JSON.stringify(body))`, so adapters recover the details with `JSON.parse(err.message)`.
 */
import type { Request, Response, Router, NextFunction } from 'express';
import { SandboxServer, sendJson, type SandboxDefinition } from './sandbox-server.js';

export interface JiraSandboxOptions {
  /** Accepted credentials: a bearer PAT and/or basic user+password (Jira Cloud: e-mail + API token). Default bearer 'jira-token'. */
  bearerTokens?: string[];
  basic?: Array<{ username: string; password: string }>;
  /**
   * Default [{ key: 'OPS', issueTypes: ['Task', 'Bug', 'Incident'] }]. `components`: the project's component names; when
   * given, a create naming any other component is refused (400) as Jira does; when absent, any component name is taken.
   */
  projects?: Array<{ key: string; name?: string; issueTypes: string[]; components?: string[] }>;
  /** Workflow transitions offered for every issue. Default: 11 "In Progress" -> In Progress, 21 "Resolve" -> Resolved, 31 "Done" -> Done. */
  transitions?: Array<{ id: string; name: string; to: string }>;
  /** Path prefix before /rest (jira-client's `base`). Default ''. */
  base?: string;
}

export interface SandboxIssue {
  id: string;
  key: string;
  project: string;
  issueType: string;
  summary: string;
  description: string | null;
  labels: string[];
  /** Component names, as the create named them (by name, or by id of a project's component). */
  components: string[];
  status: string;
  created: string;
  updated: string;
  /** Every other field the client sent, as given (priority, custom fields...). */
  otherFields: Record<string, unknown>;
}

export interface SandboxComment {
  id: string;
  issueKey: string;
  body: string;
  /** The `name` of the user whose credentials added it. */
  author: string;
  created: string;
  updated: string;
}

export interface JiraSandbox {
  server: SandboxServer;
  issues(): SandboxIssue[];
  comments(key: string): SandboxComment[];
}

interface JiraUser {
  name: string;
  displayName: string;
  emailAddress: string;
}

interface Project {
  id: string;
  key: string;
  name: string;
  issueTypes: string[];
  /** Undefined: the sandbox takes any component name for this project. */
  components?: string[];
}

interface JqlQuery {
  labels?: string;
  project?: string;
  order?: 'ASC' | 'DESC';
}

const DEFAULT_TRANSITIONS = [
  { id: '11', name: 'In Progress', to: 'In Progress' },
  { id: '21', name: 'Resolve', to: 'Resolved' },
  { id: '31', name: 'Done', to: 'Done' },
];
const INITIAL_STATUS = 'Open';
const SUMMARY_MAX = 255;
const SEARCH_MAX_RESULTS = 100;
const NOT_FOUND = 'Issue does not exist or you do not have permission to see it.';

/** Jira's own shape for every error. */
function jiraError(errorMessages: string[], errors: Record<string, string> = {}): { errorMessages: string[]; errors: Record<string, string> } {
  return { errorMessages, errors };
}

/** Jira prints timestamps with milliseconds and a numeric offset, e.g. 2026-01-01T10:00:00.000+0000. */
function jiraTime(date = new Date()): string {
  return date.toISOString().replace('Z', '+0000');
}

function statusCategory(status: string): { key: string; name: string } {
  if (status === INITIAL_STATUS) return { key: 'new', name: 'To Do' };
  if (/^(done|resolved|closed)$/i.test(status)) return { key: 'done', name: 'Done' };
  return { key: 'indeterminate', name: 'In Progress' };
}

// --- JQL subset -------------------------------------------------------------------------------------------------

class JqlError extends Error {}

/** Splits JQL into words, `=` and quoted strings (quotes kept so a quoted "ORDER" stays a value, not a keyword). */
function tokenizeJql(jql: string): string[] {
  const tokens: string[] = [];
  const pattern = /\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|=|[^\s="']+)/y;
  let position = 0;
  for (;;) {
    pattern.lastIndex = position;
    const match = pattern.exec(jql);
    if (!match) break;
    tokens.push(match[1] as string);
    position = pattern.lastIndex;
  }
  const rest = jql.slice(position).trim();
  if (rest !== '') throw new JqlError(`Unexpected or unterminated text '${rest}'.`);
  return tokens;
}

function unquote(token: string): string {
  return /^["']/.test(token) ? token.slice(1, -1).replace(/\\(.)/g, '$1') : token;
}

/** Parses `labels = x [AND project = KEY] [ORDER BY created ASC|DESC]` (clauses in either order); anything else throws. */
function parseJql(jql: string): JqlQuery {
  const tokens = tokenizeJql(jql);
  const orderAt = tokens.findIndex((t) => t.toUpperCase() === 'ORDER');
  const where = orderAt < 0 ? tokens : tokens.slice(0, orderAt);
  const query: JqlQuery = {};
  if (orderAt >= 0) parseOrderBy(tokens.slice(orderAt + 1), query);
  for (let at = 0; at < where.length; at += 4) {
    parseClause(where.slice(at, at + 3), query);
    const joiner = where[at + 3];
    if (joiner === undefined) break;
    if (joiner.toUpperCase() !== 'AND') throw new JqlError(`Expecting either 'AND' or 'ORDER BY' but got '${joiner}'.`);
    if (at + 4 >= where.length) throw new JqlError(`Expecting a clause after 'AND'.`);
  }
  return query;
}

function parseClause([rawField, operator, value]: string[], query: JqlQuery): void {
  const field = (rawField ?? '').toLowerCase();
  if (field !== 'labels' && field !== 'project') throw new JqlError(`Field '${rawField}' is not supported by the sandbox (only labels and project).`);
  if (operator !== '=') throw new JqlError(`Expecting operator '=' after '${rawField}' but got '${operator ?? 'end of query'}'.`);
  if (value === undefined || value === '=') throw new JqlError(`Expecting a value after '${rawField} ='.`);
  if (query[field] !== undefined) throw new JqlError(`Field '${rawField}' appears more than once.`);
  query[field] = unquote(value);
}

function parseOrderBy(rest: string[], query: JqlQuery): void {
  const [by, field, direction, extra] = rest;
  if ((by ?? '').toUpperCase() !== 'BY' || (field ?? '').toLowerCase() !== 'created' || extra !== undefined) {
    throw new JqlError(`Only 'ORDER BY created [ASC|DESC]' is supported, got 'ORDER ${rest.join(' ')}'.`);
  }
  const upper = (direction ?? 'ASC').toUpperCase();
  if (upper !== 'ASC' && upper !== 'DESC') throw new JqlError(`Expecting 'ASC' or 'DESC' but got '${direction}'.`);
  query.order = upper;
}

// --- the sandbox -------------------------------------------------------------------------------------------------

export function createJiraSandbox(options: JiraSandboxOptions = {}): JiraSandbox {
  const bearerTokens = options.bearerTokens ?? (options.basic ? [] : ['jira-token']);
  const basicCredentials = options.basic ?? [];
  const projects: Project[] = (options.projects ?? [{ key: 'OPS', issueTypes: ['Task', 'Bug', 'Incident'] }]).map((p, index) => ({
    id: String(10000 + index),
    key: p.key,
    name: p.name ?? p.key,
    issueTypes: p.issueTypes,
    ...(p.components ? { components: [...p.components] } : {}),
  }));
  /** "<project key>/<component name>" -> id: stable for the sandbox's life, like Jira's component ids. */
  const componentIds = new Map<string, string>();
  const componentId = (projectKey: string, name: string): string => {
    const known = componentIds.get(`${projectKey}/${name}`);
    if (known) return known;
    const id = String(10000 + componentIds.size);
    componentIds.set(`${projectKey}/${name}`, id);
    return id;
  };
  for (const project of projects) for (const name of project.components ?? []) componentId(project.key, name);
  const transitions = options.transitions ?? DEFAULT_TRANSITIONS;
  const prefix = `${options.base ?? ''}/rest/api/2`;
  // Status ids are stable per name so `to.id` and `status.id` agree across calls.
  const statusNames = [INITIAL_STATUS, ...new Set(transitions.map((t) => t.to))];
  const statusId = (name: string): string => String(statusNames.indexOf(name) + 1);

  let issues: SandboxIssue[] = [];
  let comments: SandboxComment[] = [];
  let nextIssueId = 10001;
  let nextCommentId = 10001;
  let issueCounters = new Map<string, number>();

  const origin = (req: Request): string => `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  const issueSelf = (req: Request, id: string): string => `${origin(req)}${prefix}/issue/${id}`;
  const findIssue = (idOrKey: string): SandboxIssue | undefined =>
    issues.find((issue) => issue.id === idOrKey || issue.key.toUpperCase() === idOrKey.toUpperCase());

  function authenticate(header: string | undefined): JiraUser | undefined {
    const match = /^(\S+)\s+(.+)$/.exec(header ?? '');
    if (!match) return undefined;
    const scheme = (match[1] as string).toLowerCase();
    const credential = match[2] as string;
    if (scheme === 'bearer' && bearerTokens.includes(credential)) {
      return { name: 'incident-bot', displayName: 'Incident Bot', emailAddress: 'incident-bot@example.com' };
    }
    if (scheme !== 'basic') return undefined;
    const decoded = Buffer.from(credential, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    if (colon < 0 || !basicCredentials.some((c) => c.username === username && c.password === password)) return undefined;
    return { name: username, displayName: username, emailAddress: username.includes('@') ? username : `${username}@example.com` };
  }

  function requireAuth(req: Request, res: Response, next: NextFunction): void {
    const user = authenticate(req.get('authorization'));
    if (!user) {
      res.setHeader('WWW-Authenticate', 'Basic realm="protected-area"');
      sendJson(res, 401, jiraError(['You are not authenticated. Authentication required to perform this operation.']));
      return;
    }
    res.locals.user = user;
    next();
  }

  function userJson(req: Request, user: JiraUser): Record<string, unknown> {
    return {
      self: `${origin(req)}${prefix}/user?username=${encodeURIComponent(user.name)}`,
      key: user.name,
      name: user.name,
      emailAddress: user.emailAddress,
      displayName: user.displayName,
      active: true,
      timeZone: 'UTC',
    };
  }

  /** One entry per bad field, the way Jira reports a create it refuses. */
  function validateCreate(fields: Record<string, unknown>): { errors: Record<string, string>; project?: Project } {
    const errors: Record<string, string> = {};
    const projectKey = (fields.project as { key?: unknown } | undefined)?.key;
    const project = projects.find((p) => p.key === projectKey);
    if (!project) errors.project = 'Specify a valid project ID or key';
    const issueTypeName = (fields.issuetype as { name?: unknown } | undefined)?.name;
    if (typeof issueTypeName !== 'string' || issueTypeName === '') errors.issuetype = 'Specify an issue type';
    else if (project && !project.issueTypes.includes(issueTypeName)) errors.issuetype = 'Specify a valid issue type';
    const summary = fields.summary;
    if (typeof summary !== 'string' || summary.trim() === '') errors.summary = 'You must specify a summary of the issue.';
    else if (summary.length > SUMMARY_MAX) errors.summary = `Summary must be less than ${SUMMARY_MAX} characters.`;
    const labels = fields.labels;
    if (labels !== undefined) {
      if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string')) errors.labels = 'Labels must be a list of strings.';
      else {
        const spaced = labels.find((l: string) => /\s/.test(l));
        if (spaced !== undefined) errors.labels = `The label '${spaced}' contains spaces which is invalid.`;
      }
    }
    if (fields.description !== undefined && fields.description !== null && typeof fields.description !== 'string') {
      errors.description = 'Operation value must be a string';
    }
    if (fields.components !== undefined && project) {
      const components = resolveComponents(fields.components, project);
      if (typeof components === 'string') errors.components = components;
    }
    return project ? { errors, project } : { errors };
  }

  /**
   * The component names of `fields.components` (`[{ name }]` or `[{ id }]`), or Jira's message for the first it refuses.
   * A project that lists its components takes only those; one that lists none takes any name (the sandbox's leniency).
   */
  function resolveComponents(value: unknown, project: Project): string[] | string {
    if (!Array.isArray(value)) return 'data was not an array';
    const names: string[] = [];
    for (const entry of value) {
      const { name, id } = (typeof entry === 'object' && entry !== null ? entry : {}) as { name?: unknown; id?: unknown };
      if (typeof name === 'string') {
        if (project.components && !project.components.includes(name)) return `Component name '${name}' is not valid`;
        names.push(name);
      } else if (typeof id === 'string' || typeof id === 'number') {
        const known = [...componentIds].find(([key, componentIdValue]) => componentIdValue === String(id) && key.startsWith(`${project.key}/`));
        if (!known) return `Component id '${String(id)}' is not valid`;
        names.push(known[0].slice(project.key.length + 1));
      } else {
        return 'Component name or id is required';
      }
    }
    return [...new Set(names)];
  }

  function createIssue(req: Request, res: Response): void {
    const fields = (req.body?.fields ?? {}) as Record<string, unknown>;
    const { errors, project } = validateCreate(fields);
    if (Object.keys(errors).length > 0 || !project) {
      sendJson(res, 400, jiraError([], errors));
      return;
    }
    const { project: _p, issuetype, summary, description, labels, components, status: _s, ...otherFields } = fields;
    const componentNames = components === undefined ? [] : (resolveComponents(components, project) as string[]);
    for (const name of componentNames) componentId(project.key, name);
    const number = (issueCounters.get(project.key) ?? 0) + 1;
    issueCounters.set(project.key, number);
    const now = jiraTime();
    const issue: SandboxIssue = {
      id: String(nextIssueId++),
      key: `${project.key}-${number}`,
      project: project.key,
      issueType: (issuetype as { name: string }).name,
      summary: summary as string,
      description: typeof description === 'string' ? description : null,
      labels: (labels as string[] | undefined) ?? [],
      components: componentNames,
      status: INITIAL_STATUS,
      created: now,
      updated: now,
      otherFields,
    };
    issues.push(issue);
    sendJson(res, 201, { id: issue.id, key: issue.key, self: issueSelf(req, issue.id) });
  }

  function statusJson(name: string): Record<string, unknown> {
    return { name, id: statusId(name), statusCategory: statusCategory(name) };
  }

  function commentJson(req: Request, comment: SandboxComment, issue: SandboxIssue): Record<string, unknown> {
    const author = { name: comment.author, key: comment.author, displayName: comment.author, active: true };
    return {
      self: `${issueSelf(req, issue.id)}/comment/${comment.id}`,
      id: comment.id,
      author,
      body: comment.body,
      updateAuthor: author,
      created: comment.created,
      updated: comment.updated,
    };
  }

  function issueFields(req: Request, issue: SandboxIssue, withComments: boolean): Record<string, unknown> {
    const project = projects.find((p) => p.key === issue.project) as Project;
    const fields: Record<string, unknown> = {
      ...issue.otherFields,
      summary: issue.summary,
      description: issue.description,
      labels: issue.labels,
      components: issue.components.map((name) => ({
        self: `${origin(req)}${prefix}/component/${componentId(project.key, name)}`,
        id: componentId(project.key, name),
        name,
      })),
      issuetype: { name: issue.issueType, id: String(10001 + project.issueTypes.indexOf(issue.issueType)), subtask: false },
      project: { id: project.id, key: project.key, name: project.name },
      status: statusJson(issue.status),
      created: issue.created,
      updated: issue.updated,
    };
    if (withComments) {
      const list = comments.filter((c) => c.issueKey === issue.key).map((c) => commentJson(req, c, issue));
      fields.comment = { comments: list, maxResults: list.length, total: list.length, startAt: 0 };
    }
    return fields;
  }

  function issueJson(req: Request, issue: SandboxIssue, options: { withComments: boolean; only?: string[] }): Record<string, unknown> {
    let fields = issueFields(req, issue, options.withComments);
    const only = options.only;
    if (only && !only.some((f) => f.startsWith('*'))) fields = Object.fromEntries(Object.entries(fields).filter(([name]) => only.includes(name)));
    return { expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations', id: issue.id, self: issueSelf(req, issue.id), key: issue.key, fields };
  }

  /** Looks the path's issue up, answering Jira's 404 itself when there is none. */
  function issueOr404(req: Request, res: Response): SandboxIssue | undefined {
    const issue = findIssue(String(req.params.idOrKey));
    if (!issue) sendJson(res, 404, jiraError([NOT_FOUND]));
    return issue;
  }

  function addComment(issue: SandboxIssue, body: string, user: JiraUser): SandboxComment {
    const now = jiraTime();
    const comment: SandboxComment = { id: String(nextCommentId++), issueKey: issue.key, body, author: user.name, created: now, updated: now };
    comments.push(comment);
    issue.updated = now;
    return comment;
  }

  function postComment(req: Request, res: Response): void {
    const issue = issueOr404(req, res);
    if (!issue) return;
    const body = req.body?.body;
    if (typeof body !== 'string' || body.trim() === '') {
      sendJson(res, 400, jiraError([], { comment: 'Comment body can not be empty!' }));
      return;
    }
    sendJson(res, 201, commentJson(req, addComment(issue, body, res.locals.user as JiraUser), issue));
  }

  function listComments(req: Request, res: Response): void {
    const issue = issueOr404(req, res);
    if (!issue) return;
    const list = comments.filter((c) => c.issueKey === issue.key).map((c) => commentJson(req, c, issue));
    sendJson(res, 200, { startAt: 0, maxResults: list.length, total: list.length, comments: list });
  }

  function listTransitions(req: Request, res: Response): void {
    if (!issueOr404(req, res)) return;
    sendJson(res, 200, {
      expand: 'transitions',
      transitions: transitions.map((t) => ({
        id: t.id,
        name: t.name,
        to: { self: `${origin(req)}${prefix}/status/${statusId(t.to)}`, ...statusJson(t.to) },
        hasScreen: false,
        isGlobal: true,
        isInitial: false,
        isConditional: false,
        fields: {},
      })),
    });
  }

  function applyTransition(req: Request, res: Response): void {
    const issue = issueOr404(req, res);
    if (!issue) return;
    const id = req.body?.transition?.id;
    const transition = transitions.find((t) => t.id === String(id));
    if (!transition) {
      sendJson(res, 400, jiraError([`Transition id '${String(id)}' is not valid for this issue.`]));
      return;
    }
    issue.status = transition.to;
    issue.updated = jiraTime();
    // A transition may carry a comment in `update.comment[].add.body`, which Jira adds as part of the same request.
    const commentOps = req.body?.update?.comment;
    if (Array.isArray(commentOps)) {
      for (const op of commentOps) {
        if (typeof op?.add?.body === 'string') addComment(issue, op.add.body, res.locals.user as JiraUser);
      }
    }
    // Real Jira answers 204 with no body; jira-client resolves that to undefined.
    res.status(204).end();
  }

  function intParam(value: unknown, fallback: number): number {
    const n = Number(value);
    return value === undefined || value === '' || !Number.isInteger(n) || n < 0 ? fallback : n;
  }

  function search(req: Request, res: Response, input: { jql?: unknown; startAt?: unknown; maxResults?: unknown; fields?: unknown }): void {
    let query: JqlQuery;
    try {
      query = parseJql(typeof input.jql === 'string' ? input.jql : '');
    } catch (error) {
      if (!(error instanceof JqlError)) throw error;
      sendJson(res, 400, jiraError([`Error in the JQL Query: ${error.message}`]));
      return;
    }
    if (query.project !== undefined && !projects.some((p) => p.key === query.project)) {
      sendJson(res, 400, jiraError([`The value '${query.project}' does not exist for the field 'project'.`]));
      return;
    }
    const matching = issues.filter(
      (issue) => (query.labels === undefined || issue.labels.includes(query.labels)) && (query.project === undefined || issue.project === query.project),
    );
    // Issue ids grow with creation, so they order by `created` without ties between issues made in the same millisecond.
    if (query.order === 'DESC') matching.reverse();
    const startAt = intParam(input.startAt, 0);
    const maxResults = Math.min(intParam(input.maxResults, 50), SEARCH_MAX_RESULTS);
    const only = typeof input.fields === 'string' ? input.fields.split(',') : Array.isArray(input.fields) ? input.fields.map(String) : undefined;
    const page = matching.slice(startAt, startAt + maxResults).map((issue) => issueJson(req, issue, { withComments: false, ...(only ? { only } : {}) }));
    sendJson(res, 200, { expand: 'schema,names', startAt, maxResults, total: matching.length, issues: page });
  }

  const definition: SandboxDefinition = {
    name: 'jira',
    errorBody: (_status, message) => jiraError([message]),
    routes(router: Router) {
      router.use(prefix, requireAuth);
      router.post(`${prefix}/issue`, createIssue);
      router.get(`${prefix}/issue/:idOrKey`, (req, res) => {
        const issue = issueOr404(req, res);
        if (issue) sendJson(res, 200, issueJson(req, issue, { withComments: true }));
      });
      router.post(`${prefix}/issue/:idOrKey/comment`, postComment);
      router.get(`${prefix}/issue/:idOrKey/comment`, listComments);
      router.get(`${prefix}/issue/:idOrKey/transitions`, listTransitions);
      router.post(`${prefix}/issue/:idOrKey/transitions`, applyTransition);
      router.post(`${prefix}/search`, (req, res) => search(req, res, req.body ?? {}));
      router.get(`${prefix}/search`, (req, res) => search(req, res, req.query));
      router.get(`${prefix}/myself`, (req, res) => sendJson(res, 200, userJson(req, res.locals.user as JiraUser)));
    },
    state: () => ({ issues, comments }),
    reset() {
      issues = [];
      comments = [];
      nextIssueId = 10001;
      nextCommentId = 10001;
      issueCounters = new Map();
    },
  };

  return {
    server: new SandboxServer(definition),
    issues: () => structuredClone(issues),
    comments: (key) => structuredClone(comments.filter((c) => c.issueKey === key)),
  };
}
