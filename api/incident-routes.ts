/**
 * REST routes for incidents: start one, read it, list them, and one POST per command. Each command is sent to the
 * incident's workflow as an Update, so the caller gets the new incident view or an error that names the problem.
 */
import { Router, type Request } from 'express';
import type { Client } from '@temporalio/client';
import { customAlphabet } from 'nanoid';
import { z } from 'zod';
import { commands, type CommandName } from '../domain/commands.js';
import { invalidInput } from '../domain/errors.js';
import { INCIDENT_STATUSES } from '../domain/incident.js';
import { INCIDENT_ID_PATTERN, parseNewIncident } from '../domain/new-incident.js';
import { playbookSchema, ID_PATTERN } from '../domain/playbook.js';
import { usernameSchema } from '../domain/people.js';
import type { PlaybookCatalog } from '../store/playbook-files.js';
import {
  IncidentCommanderKey,
  IncidentPlaybookKey,
  IncidentSeverityKey,
  IncidentStatusKey,
  IncidentTeamKey,
} from '../temporal/search-attributes.js';
import { commandUpdates, incidentViewQuery, incidentWorkflowId, INCIDENT_WORKFLOW_TYPE } from '../workflows/messages.js';
import type { IncidentWorkflowInput } from '../workflows/incident.js';
import { HttpError, toHttpError } from './http-error.js';

export interface IncidentRoutesOptions {
  client: Client;
  taskQueue: string;
  playbooks: PlaybookCatalog;
  /** How long a command may wait for the incident's answer before the API gives up with 504. */
  commandTimeoutMs?: number;
}

const newIncidentId = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 10);

const startRequestSchema = z.object({
  id: z.string().regex(INCIDENT_ID_PATTERN, 'expected 3 to 48 lower-case letters, digits or "-"').optional(),
  name: z.string().trim().min(1, 'an incident needs a name').max(200),
  summary: z.string().trim().max(4000).optional(),
  severity: z.string().trim().toLowerCase().optional(),
  team: z.string().trim().regex(ID_PATTERN, 'expected a team name like "platform"').default('default'),
  reporter: usernameSchema,
  commander: usernameSchema.optional(),
  /** The ID of a known playbook, or a whole playbook definition (its snapshot is what the incident runs). */
  playbook: z.union([z.string().trim().min(1), playbookSchema]).default('blank'),
});

const listQuerySchema = z.object({
  status: z.enum(INCIDENT_STATUSES).optional(),
  severity: z.string().regex(ID_PATTERN).optional(),
  team: z.string().regex(ID_PATTERN).optional(),
  commander: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/).optional(),
  playbook: z.string().regex(ID_PATTERN).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

function parseBody<T extends z.ZodType>(schema: T, body: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw invalidInput(what, parsed.error);
  return parsed.data;
}

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

export function incidentRoutes(options: IncidentRoutesOptions): Router {
  const { client, taskQueue, playbooks } = options;
  const commandTimeoutMs = options.commandTimeoutMs ?? 10_000;
  const router = Router();

  router.post('/incidents', async (req, res) => {
    const request = parseBody(startRequestSchema, bodyObject(req), 'incident');
    const playbook = typeof request.playbook === 'string' ? playbooks.get(request.playbook) : request.playbook;
    if (!playbook) {
      throw new HttpError(400, 'invalid_input', `unknown playbook "${String(request.playbook)}"; known: ${playbooks.ids().join(', ')}`, [
        `playbook: unknown playbook "${String(request.playbook)}"`,
      ]);
    }
    const id = request.id ?? newIncidentId();
    const incident = { ...request, id, playbook };
    // Validate here exactly as the workflow will, so a bad request never becomes a half-started incident.
    const start = parseNewIncident(incident);
    const input: IncidentWorkflowInput = { incident };
    try {
      const handle = await client.workflow.start(INCIDENT_WORKFLOW_TYPE, {
        workflowId: incidentWorkflowId(id),
        taskQueue,
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        workflowIdConflictPolicy: 'FAIL',
        typedSearchAttributes: [
          { key: IncidentStatusKey, value: 'reported' },
          { key: IncidentSeverityKey, value: start.severity ?? start.playbook.defaultSeverity },
          { key: IncidentCommanderKey, value: start.commander ?? start.reporter },
          { key: IncidentPlaybookKey, value: start.playbook.id },
          { key: IncidentTeamKey, value: start.team },
        ],
      });
      res.status(201).location(`/api/v1/incidents/${id}`).json({
        id,
        workflowId: handle.workflowId,
        runId: handle.firstExecutionRunId,
        name: start.name,
        status: 'reported',
        severity: start.severity ?? start.playbook.defaultSeverity,
        commander: start.commander ?? start.reporter,
        playbook: { id: start.playbook.id, version: start.playbook.version },
        url: `/api/v1/incidents/${id}`,
      });
    } catch (error) {
      throw toHttpError(error, id);
    }
  });

  router.get('/incidents', async (req, res) => {
    const query = parseBody(listQuerySchema, req.query, 'list query');
    // Every value was checked against a strict pattern above, so it is safe inside the visibility query.
    const clauses = [`WorkflowType = '${INCIDENT_WORKFLOW_TYPE}'`];
    if (query.status) clauses.push(`IncidentStatus = '${query.status}'`);
    if (query.severity) clauses.push(`IncidentSeverity = '${query.severity}'`);
    if (query.team) clauses.push(`IncidentTeam = '${query.team}'`);
    if (query.commander) clauses.push(`IncidentCommander = '${query.commander}'`);
    if (query.playbook) clauses.push(`IncidentPlaybook = '${query.playbook}'`);
    const items: unknown[] = [];
    try {
      for await (const execution of client.workflow.list({ query: clauses.join(' AND '), pageSize: query.limit })) {
        const attributes = execution.typedSearchAttributes;
        items.push({
          id: execution.workflowId.replace(/^incident-/, ''),
          status: attributes.get(IncidentStatusKey),
          severity: attributes.get(IncidentSeverityKey),
          commander: attributes.get(IncidentCommanderKey),
          team: attributes.get(IncidentTeamKey),
          playbook: attributes.get(IncidentPlaybookKey),
          startedAt: execution.startTime.toISOString(),
          workflowStatus: execution.status.name,
        });
        if (items.length >= query.limit) break;
      }
    } catch (error) {
      throw toHttpError(error);
    }
    res.json({ items });
  });

  router.get('/incidents/:id', async (req, res) => {
    const id = incidentIdParam(req);
    try {
      const view = await client.withDeadline(Date.now() + commandTimeoutMs, () =>
        client.workflow.getHandle(incidentWorkflowId(id)).query(incidentViewQuery),
      );
      res.json(view);
    } catch (error) {
      throw toHttpError(error, id);
    }
  });

  /** One route per command: path parameters and body together make the command's payload. */
  const command = (path: string, name: CommandName, fromPath: (req: Request) => Record<string, unknown> = () => ({})) => {
    router.post(path, async (req, res) => {
      const id = incidentIdParam(req);
      const payload = { ...bodyObject(req), ...fromPath(req) };
      // Shape errors are answered here without a round trip; state checks happen in the workflow's validator.
      parseBody(commands[name].payload, payload, `${name} request`);
      const updateId = req.get('Idempotency-Key');
      try {
        const view = await client.withDeadline(Date.now() + commandTimeoutMs, () =>
          client.workflow.getHandle(incidentWorkflowId(id)).executeUpdate(commandUpdates[name], {
            args: [payload as never],
            ...(updateId ? { updateId } : {}),
          }),
        );
        res.json(view);
      } catch (error) {
        const httpError = toHttpError(error, id);
        // Temporal answers an update to a finished workflow as "not found"; the caller should hear that it is closed.
        if (httpError.status === 404 && (await workflowHasEnded(id))) {
          throw new HttpError(409, 'conflict', `incident ${id} is closed; nothing can change any more`);
        }
        throw httpError;
      }
    });
  };

  async function workflowHasEnded(id: string): Promise<boolean> {
    try {
      const description = await client.workflow.getHandle(incidentWorkflowId(id)).describe();
      return description.status.name !== 'RUNNING';
    } catch {
      return false;
    }
  }

  const task = (req: Request) => ({ taskId: String(req.params.taskId) });
  command('/incidents/:id/acknowledge', 'acknowledge');
  command('/incidents/:id/tasks/:taskId/complete', 'completeTask', task);
  command('/incidents/:id/tasks/:taskId/reopen', 'reopenTask', task);
  command('/incidents/:id/tasks/:taskId/skip', 'skipTask', task);
  command('/incidents/:id/tasks/:taskId/assign', 'assignTask', task);
  command('/incidents/:id/checklists/:checklist/tasks', 'addTask', (req) => ({ checklist: String(req.params.checklist) }));
  command('/incidents/:id/commander', 'changeCommander');
  command('/incidents/:id/severity', 'setSeverity');
  command('/incidents/:id/notes', 'addNote');
  command('/incidents/:id/resolve', 'resolve');
  command('/incidents/:id/reopen', 'reopen');
  command('/incidents/:id/close', 'close');
  command('/incidents/:id/integrations/:step/retry', 'retryIntegration', (req) => ({ step: String(req.params.step) }));

  return router;
}
