/**
 * REST routes for incidents: start one, read it, list them, and one POST per command. Each command is sent to the
 * incident's workflow as an Update, so the caller gets the new incident view or an error that names the problem.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { commands, type CommandName } from '../domain/commands.js';
import { filterTimeline, parseTimelineKinds } from '../domain/timeline-filter.js';
import { checkIncomingCommand } from '../domain/command-intake.js';
import { INCIDENT_ID_PATTERN } from '../domain/new-incident.js';
import { playbookSchema } from '../domain/playbook/schema.js';
import { ID_PATTERN } from '../domain/playbook/vocabulary.js';
import { usernameSchema } from '../domain/people.js';
import type { StoredTimelinePort } from './ports/incident-records.js';
import type { PlaybookLookup } from '../store/playbook-lookup.js';
import { HttpError } from './http-error.js';
import { INCIDENT_ID_ALPHABET, type IncidentService, type StartedIncident, type StartRequest, type ViewRead } from './incident-service.js';
import type { IncidentView } from '../domain/incident.js';
import { incidentWorkflowId } from '../workflows/messages.js';
import { parseInput, parseKnownInput } from './parse-input.js';
import { validatePlaybook } from '../domain/playbook/validation.js';
import { ANONYMOUS, callerOf } from './auth/api-tokens.js';
import { mayEditPlaybook, mayRunPlaybook, personOfCaller, type GroupDirectory } from './permissions.js';
import { readViewOnce } from './incident-read-memo.js';

export interface IncidentRoutesOptions {
  incidents: IncidentService;
  playbooks: PlaybookLookup;
  /** Every command is logged with its actor (the request log has the caller, who may act for someone else). */
  logger?: Logger;
  /** The store's timelines: the events older than what the incident keeps in its state. */
  timeline?: StoredTimelinePort;
  /**
   * Mattermost's users and groups: commanders and assignees must be users it knows, and restricted playbooks admit
   * their groups. Without it (no Mattermost configured) names are taken as they come and groups admit nobody.
   */
  people?: GroupDirectory;
  /** The team of an incident whose request names none. */
  defaultTeam?: string;
}

/** The command fields that name someone who must exist in Mattermost. */
const PEOPLE_FIELDS = { changeCommander: 'commander', assignTask: 'assignee', addTask: 'assignee' } as const;

export const startRequestSchema = z.object({
  id: z
    .string()
    .regex(INCIDENT_ID_PATTERN, 'expected 3 to 48 lower-case letters, digits or "-"')
    // The web app's /app/incidents/new is the start form: an incident by that ID could not be opened there.
    .refine((id) => id !== 'new', { message: '"new" is reserved (the web app\'s start page); choose another ID' })
    .optional(),
  name: z.string().trim().min(1, 'an incident needs a name').max(200),
  summary: z.string().trim().max(4000).optional(),
  severity: z.string().trim().toLowerCase().optional(),
  /** Absent: the service's default team (MATTERMOST_DEFAULT_TEAM, or the bot's only team). */
  team: z.string().trim().regex(ID_PATTERN, 'expected a team name like "platform"').optional(),
  reporter: usernameSchema,
  commander: usernameSchema.optional(),
  /** The ID of a known playbook, or a whole playbook definition (its snapshot is what the incident runs). */
  playbook: z.union([z.string().trim().min(1), playbookSchema]).default('blank'),
});

export const timelineQuerySchema = z.object({
  kind: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(500),
  /** Only events before this position: the previous page is `before=<first item's seq>`. */
  before: z.coerce.number().int().min(1).max(1e12).optional(),
});


function incidentIdParam(req: Request): string {
  const id = String(req.params.id);
  if (!INCIDENT_ID_PATTERN.test(id)) {
    throw new HttpError(400, 'invalid_input', `"${id}" is not an incident id (3 to 48 lower-case letters, digits or "-")`);
  }
  return id;
}

function bodyObject(req: Request): Record<string, unknown> {
  const body: unknown = req.body ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'invalid_input', 'the request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

const task = (req: Request) => ({ taskId: String(req.params.taskId) });
// Every command has its route: the record's type lists each command, so a new command without one does not compile.
const checklist = (req: Request) => ({ checklist: String(req.params.checklist) });
const step = (req: Request) => ({ step: String(req.params.step) });
/** Each command's REST route (POST): the path, and the payload fields its parameters give. Also the OpenAPI document's. */
export const COMMAND_ROUTES: { [N in CommandName]: [path: string, fromPath?: (req: Request) => Record<string, unknown>] } = {
  acknowledge: ['/incidents/:id/acknowledge'],
  completeTask: ['/incidents/:id/tasks/:taskId/complete', task],
  reopenTask: ['/incidents/:id/tasks/:taskId/reopen', task],
  skipTask: ['/incidents/:id/tasks/:taskId/skip', task],
  assignTask: ['/incidents/:id/tasks/:taskId/assign', task],
  runTaskAction: ['/incidents/:id/tasks/:taskId/run-action', task],
  recordTaskCommandRun: ['/incidents/:id/tasks/:taskId/command-runs', task],
  addTask: ['/incidents/:id/checklists/:checklist/tasks', checklist],
  changeCommander: ['/incidents/:id/commander'],
  setSeverity: ['/incidents/:id/severity'],
  addNote: ['/incidents/:id/notes'],
  postStatusUpdate: ['/incidents/:id/status-updates'],
  snoozeStatusReminder: ['/incidents/:id/status-updates/reminder/snooze'],
  resolve: ['/incidents/:id/resolve'],
  reopen: ['/incidents/:id/reopen'],
  close: ['/incidents/:id/close'],
  retryIntegration: ['/incidents/:id/integrations/:step/retry', step],
  editRetrospective: ['/incidents/:id/retrospective'],
  publishRetrospective: ['/incidents/:id/retrospective/publish'],
  declineRetrospective: ['/incidents/:id/retrospective/decline'],
  exportPostmortem: ['/incidents/:id/exports'],
  // Monitoring normally goes through /alerts (which finds or starts the incident); this sends to a known one.
  recordAlerts: ['/incidents/:id/alerts'],
  recordAlertBatch: ['/incidents/:id/alerts/batch'],
};

export function incidentRoutes(options: IncidentRoutesOptions): Router {
  const { playbooks } = options;
  const incidents = options.incidents;
  const router = Router();

  router.post('/incidents', async (req, res) => {
    const body = bodyObject(req);
    // A playbook given whole is checked on its own first: the start schema's union would only say "Invalid input".
    const inline = body.playbook;
    if (typeof inline === 'object' && inline !== null && !Array.isArray(inline)) {
      const result = validatePlaybook(inline);
      if (!result.ok) {
        const problems = result.problems.map((p) => `playbook${p.path ? `.${p.path}` : ''}: ${p.message}`);
        throw new HttpError(400, 'invalid_input', `invalid incident: its playbook has ${problems.length} problem(s)`, problems);
      }
    }
    const request = parseInput(startRequestSchema, body, 'incident');
    const playbook = typeof request.playbook === 'string' ? await playbooks.get(request.playbook) : request.playbook;
    if (!playbook) {
      throw new HttpError(400, 'invalid_input', `unknown playbook "${String(request.playbook)}"; known: ${(await playbooks.list()).map((p) => p.id).join(', ')}`, [
        `playbook: unknown playbook "${String(request.playbook)}"`,
      ]);
    }
    checkIncomingCommand('start', { name: request.name, reporter: request.reporter, commander: request.commander });
    const caller = callerOf(res);
    if (caller && !(await mayRunPlaybook(playbook, personOfCaller(caller, request.reporter), options.people))) {
      throw new HttpError(403, 'forbidden', `playbook "${playbook.id}" is restricted to the people and groups it names; ${request.reporter} is not one of them (or use an admin token)`);
    }
    if (request.commander) await requireUser(request.commander, 'commander');
    // With an Idempotency-Key (and no ID of its own) the incident's ID comes from the caller and the key: a start sent
    // again (a timeout, a retrying script) finds the incident the first one started, and never starts a second.
    const key = idempotencyKey(req);
    const keyedId = key && !request.id ? idempotentIncidentId(caller?.name ?? ANONYMOUS.name, key) : undefined;
    const startedBefore = async (): Promise<boolean> => {
      if (!keyedId) return false;
      let earlier: IncidentView;
      try {
        earlier = await incidents.view(keyedId);
      } catch (error) {
        if (error instanceof HttpError && error.status === 404) return false;
        throw error;
      }
      if (earlier.name !== request.name || earlier.playbook.id !== playbook.id) {
        throw new HttpError(
          422,
          'unprocessable',
          `this Idempotency-Key started incident ${keyedId} ("${earlier.name.slice(0, 100)}", playbook ${earlier.playbook.id}) already; a different incident needs another key`,
        );
      }
      const { id, name, severity, commander } = earlier;
      res
        .status(200)
        .location(`/api/v1/incidents/${id}`)
        .json({ id, workflowId: incidentWorkflowId(id), name, severity, commander, playbook: { id: earlier.playbook.id, version: earlier.playbook.version }, status: earlier.status, url: `/api/v1/incidents/${id}`, replayed: true });
      return true;
    };
    if (await startedBefore()) return;
    let started: StartedIncident;
    try {
      started = await incidents.start({ ...stripUndefined(request), ...(keyedId ? { id: keyedId } : {}), team: request.team ?? options.defaultTeam ?? 'default', playbook } as StartRequest);
    } catch (error) {
      // The same start, sent twice at once: the other one started it.
      if (keyedId && error instanceof HttpError && error.status === 409 && (await startedBefore())) return;
      throw error;
    }
    res.status(201).location(`/api/v1/incidents/${started.id}`).json({ ...started, status: 'reported', url: `/api/v1/incidents/${started.id}` });
  });

  router.get('/incidents/:id', async (req, res) => {
    const id = incidentIdParam(req);
    // A person's request has read it already for the chat rules (api/auth/person-may-change.ts).
    sendView(res, await readViewOnce(res, id, () => incidents.readView(id)));
  });

  /**
   * The timeline, newest `limit` events, optionally of some kinds only: `?kind=updates,tasks` (groups) or exact kinds
   * like `note`; `?before=<seq>` pages back. The newest events come from the incident, older ones from the store.
   */
  router.get('/incidents/:id/timeline', async (req, res) => {
    const id = incidentIdParam(req);
    const query = parseInput(timelineQuerySchema, req.query, 'timeline query');
    const kinds = parseTimelineKinds(query.kind?.split(',') ?? []);
    const view = await incidents.view(id);
    const before = query.before ?? Number.POSITIVE_INFINITY;
    const recent = filterTimeline(view.timeline, kinds).filter((event) => event.seq < before);
    let items = recent.slice(-query.limit);
    // Events older than the state's newest ones come from the store; `dropped` counts any it does not have either.
    let dropped = view.timelineDropped;
    if (options.timeline && view.timelineDropped > 0) {
      const firstInState = view.timeline[0]?.seq ?? view.timelineDropped + 1;
      const wanted = query.limit - items.length;
      const beforeSeq = Math.min(firstInState, before);
      const older = wanted > 0 ? await options.timeline.list(id, { beforeSeq, kinds, limit: wanted, newest: true }) : [];
      items = [...older, ...items];
      dropped = Math.max(0, firstInState - 1 - (await options.timeline.count(id, { beforeSeq: firstInState })));
    }
    res.json({ incidentId: id, kinds, dropped, items });
  });

  router.get('/incidents/:id/retrospective', async (req, res) => {
    const view = await incidents.view(incidentIdParam(req));
    if (!view.retrospective) {
      throw new HttpError(404, 'not_found', view.playbook.retrospective?.enabled ? 'the retrospective is drafted when the incident is resolved' : 'the playbook asks for no retrospective');
    }
    res.json(view.retrospective);
  });

  /** One route per command: path parameters and body together make the command's payload. */
  const command = (path: string, name: CommandName, fromPath: (req: Request) => Record<string, unknown> = () => ({})) => {
    router.post(path, async (req, res) => {
      const id = incidentIdParam(req);
      const payload = { ...bodyObject(req), ...fromPath(req) };
      // Shape errors are answered here without a round trip; state checks happen in the workflow's validator.
      // Unknown fields refused, not only ignored: the payload goes on as sent, into the incident's history.
      parseKnownInput(commands[name].payload, payload, `${name} request`, ['via']);
      checkIncomingCommand(name, payload);
      const personField = PEOPLE_FIELDS[name as keyof typeof PEOPLE_FIELDS];
      const person = personField ? (payload as Record<string, unknown>)[personField] : undefined;
      if (typeof person === 'string') await requireUser(person, personField!);
      if (name === 'addTask' && (payload as { command?: unknown }).command !== undefined) await requirePlaybookEditor(id, res);
      // The Update ID carries the request's ID (unique per command all the same), so the worker's line about it
      // leads back to this request; an Idempotency-Key replaces it, as retries must share it.
      const key = idempotencyKey(req);
      const updateId = key ? idempotentUpdateId(callerOf(res)?.name ?? ANONYMOUS.name, name, key) : `${req.id ?? 'rq'}.${randomUUID().slice(0, 8)}`;
      const result = await incidents.command(id, name, payload as never, { updateId });
      const { actor, via } = payload as { actor?: unknown; via?: unknown };
      (req.log ?? options.logger)?.info(
        { incident: id, command: name, actor: typeof actor === 'string' ? actor.trim().replace(/^@/, '').toLowerCase() : 'api', ...(via ? { via } : {}), revision: result.revision, updateId },
        'command applied',
      );
      // `Prefer: return=minimal` (RFC 7240) answers with what changed; otherwise with the view, read after the change.
      if (prefersMinimal(req)) {
        // firstCommand is for the alert intake (did this start the incident?); a REST caller started it separately.
        const { firstCommand: _first, ...changes } = result;
        res.set('Preference-Applied', 'return=minimal').json(changes);
        return;
      }
      sendView(res, await incidents.readView(id, { atLeastRevision: result.revision }));
    });
  };

  for (const [name, [path, fromPath]] of Object.entries(COMMAND_ROUTES) as Array<[CommandName, [string, ((req: Request) => Record<string, unknown>)?]]>) {
    command(path, name, fromPath);
  }

  /** 400 unless Mattermost knows the user (when there is a Mattermost to ask). */
  async function requireUser(name: string, field: string): Promise<void> {
    if (!options.people) return;
    const username = name.trim().replace(/^@/, '').toLowerCase();
    let id: string | undefined;
    try {
      id = await options.people.userIdOf(username);
    } catch {
      throw new HttpError(503, 'unavailable', `could not ask Mattermost whether @${username} exists; nothing was changed, try again`);
    }
    if (!id) throw new HttpError(400, 'invalid_input', `${field}: Mattermost has no user @${username}`, [`${field}: Mattermost has no user @${username}`]);
  }

  /**
   * A task that carries a slash command is a command the bot will run when someone clicks Run: only someone who may
   * edit the incident's playbook may add one during the incident.
   */
  async function requirePlaybookEditor(incidentId: string, res: Response): Promise<void> {
    const caller = callerOf(res);
    const view = await incidents.view(incidentId);
    const playbook = await playbooks.get(view.playbook.id);
    if (caller && playbook && (await mayEditPlaybook(playbook, caller, options.people))) return;
    if (caller?.scope === 'admin') return;
    throw new HttpError(403, 'forbidden', `a task with a slash command can be added only by someone who may edit playbook "${view.playbook.id}"; add it without "command"`);
  }

  return router;
}

/** Client-chosen Update IDs: printable ASCII, short enough to remember a few hundred of them in the incident. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

function idempotencyKey(req: Request): string | undefined {
  const key = req.get('Idempotency-Key');
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new HttpError(400, 'invalid_input', 'Idempotency-Key must be 1 to 128 printable ASCII characters without spaces', [
      'Idempotency-Key: expected 1 to 128 printable ASCII characters',
    ]);
  }
  return key;
}

/** The ID of the incident a start with an Idempotency-Key makes: the caller's and the key's, 10 letters and digits. */
function idempotentIncidentId(caller: string, key: string): string {
  const digest = createHash('sha256').update(`start\n${caller}\n${key}`).digest();
  return [...digest.subarray(0, 10)].map((byte) => INCIDENT_ID_ALPHABET[byte % INCIDENT_ID_ALPHABET.length]).join('');
}

/**
 * The Update ID a request's Idempotency-Key stands for: the caller's own and the command's, so another caller's key
 * (or the same key on another command) is never taken for a repeat and answered with someone else's result while
 * nothing is applied. Hashed: the ID stays short and says nothing of who sent it.
 */
function idempotentUpdateId(caller: string, command: CommandName, key: string): string {
  return `idem.${command}.${createHash('sha256').update(`${caller}\n${key}`).digest('base64url').slice(0, 32)}`;
}

/** The view, with where it came from: `store` when the incident was slow to answer and its record answered instead. */
function sendView(res: Response, { view, source }: ViewRead): void {
  res.set({ 'X-Incident-View-Source': source, 'X-Incident-Revision': String(view.revision) }).json(view);
}

function prefersMinimal(req: Request): boolean {
  return /(^|[\s,;])return=minimal\b/i.test(req.get('Prefer') ?? '');
}

function stripUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
