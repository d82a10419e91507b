/**
 * REST routes for playbooks: list (with search), read (any version, as JSON or YAML), create, replace (a new version;
 * `If-Match: <version>` guards against overwriting someone else's edit), archive, restore, duplicate, version history.
 * Bodies are a playbook as JSON, or as YAML with `Content-Type: application/yaml`; every problem comes back at once, as
 * `problems` strings and as `fields` (`{ path, message }`, the path in the domain's bracket style) for editors.
 *
 * Who may change a playbook (the app already required the `write` scope for every change): creating one, or duplicating
 * one into a new ID, needs nothing more. Replacing, archiving or restoring an existing playbook needs its CURRENT
 * `permissions.edit` (the stored version's, not the body's): the caller's name is in its users, or the caller is in one
 * of its Mattermost groups (asked of Mattermost when the API has a Mattermost client), or both lists are empty (then
 * everyone with `write` may). An `admin` token may always. A route that changes existing playbooks in bulk (an import)
 * must check `mayEditPlaybook` for each playbook it replaces.
 */
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { formatPlaybook, parsePlaybookText, type PlaybookTextFormat } from '../formats/playbook-text.js';
import { validatePlaybook } from '../domain/playbook/validation.js';
import type { Playbook } from '../domain/playbook/schema.js';
import { PlaybookStoreError } from '../store/playbook-store-errors.js';
import { type PlaybookRepository, type StoredPlaybook } from '../store/playbook-repository.js';
import { HttpError } from './http-error.js';
import { mayActFor, mayEditPlaybook, type GroupDirectory } from './permissions.js';
import { ANONYMOUS, callerOf } from './auth/api-tokens.js';

const STATUS_BY_STORE_CODE = { not_found: 404, conflict: 409, invalid_input: 400 } as const;

export const playbookListQuerySchema = z.object({
  search: z.string().max(200).optional(),
  team: z.string().max(64).optional(),
  includeArchived: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

/** IDs the web app's addresses use for pages of their own (/app/playbooks/new): a playbook by that ID could not be opened. */
const RESERVED_PLAYBOOK_IDS = ['new'];
const reservedIdProblem = (id: string) => `id: "${id}" is reserved (the web app's /app/playbooks/${id} is another page); choose another ID`;

export const duplicatePlaybookSchema = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a playbook ID like "db-outage"')
    .refine((id) => !RESERVED_PLAYBOOK_IDS.includes(id), { message: 'this ID is reserved for a page of the web app; choose another' }),
  title: z.string().trim().min(1).max(200).optional(),
});

function storeError(error: unknown): never {
  if (error instanceof PlaybookStoreError) throw new HttpError(STATUS_BY_STORE_CODE[error.code], error.code, error.message);
  throw error;
}

/** The playbook in the body, as JSON or YAML, validated; 400 with every problem otherwise. */
function playbookFromBody(req: Request): Playbook {
  const isYaml = /yaml/i.test(req.get('content-type') ?? '');
  const result = isYaml
    ? parsePlaybookText(typeof req.body === 'string' ? req.body : '', 'yaml')
    : validatePlaybook(req.body);
  if (!result.ok) {
    const problems = result.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
    const fields = result.problems.map(({ path, message }) => ({ path, message }));
    throw new HttpError(400, 'invalid_input', `invalid playbook: ${problems.length} problem(s)`, problems, undefined, fields);
  }
  return result.playbook;
}

function wantedFormat(req: Request): PlaybookTextFormat | undefined {
  const format = req.query.format;
  if (format === 'yaml' || format === 'json') return format;
  if (/yaml/i.test(req.get('accept') ?? '')) return 'yaml';
  return undefined;
}

function present(stored: StoredPlaybook<Playbook>) {
  const { definition, ...summary } = stored;
  return { ...summary, playbook: definition };
}

/**
 * Who made a change: the token's name (a script's token names who acted), else "api"; `X-Actor` names someone else
 * only for a token that may act for others (act-for), or in open mode.
 */
function actorOf(req: Request, res: Response): string {
  const actor = req.get('X-Actor')?.trim().toLowerCase();
  const caller = callerOf(res);
  if (actor && /^[a-z0-9][a-z0-9._-]{0,63}$/.test(actor)) {
    if (!caller || mayActFor(caller, actor)) return actor;
    throw new HttpError(403, 'forbidden', `the token of "${caller.name}" acts as itself; X-Actor "${actor}" takes a token with the act-for capability`);
  }
  return caller && caller.name !== ANONYMOUS.name ? caller.name : 'api';
}

export interface PlaybookRoutesOptions {
  /** Mattermost, to find the caller's groups for `permissions.edit.groups`. */
  directory?: GroupDirectory;
}

export function playbookRoutes(repository: PlaybookRepository<Playbook & { team?: string | null }>, options: PlaybookRoutesOptions = {}): Router {
  const router = Router();

  /** 403 unless the caller may edit the playbook as it is stored now; an unknown ID passes (the route answers 404). */
  const mayEditCurrent: RequestHandler = async (req, res, next) => {
    const caller = callerOf(res);
    if (!caller) throw new HttpError(401, 'unauthorized', 'no caller: the playbook routes need authentication in front of them');
    const id = String(req.params.id);
    const stored = await repository.get(id).catch(storeError);
    if (stored && !(await mayEditPlaybook(stored.definition, caller, options.directory))) {
      throw new HttpError(
        403,
        'forbidden',
        `"${caller.name}" may not edit playbook "${id}": not in its permissions.edit users or groups (an incident admin or an admin token may)`,
      );
    }
    next();
  };
  const text = express.text({ type: ['application/yaml', 'application/x-yaml', 'text/yaml'], limit: '256kb' });

  router.get('/playbooks', async (req, res) => {
    const query = playbookListQuerySchema.safeParse(req.query);
    if (!query.success) throw new HttpError(400, 'invalid_input', 'invalid list query', query.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    const { includeArchived, ...rest } = query.data;
    const page = await repository
      .list({ ...stripUndefined(rest), includeArchived: includeArchived === 'true' })
      .catch(storeError);
    res.json(page);
  });

  /** One version (the current one when absent) as JSON with its metadata, or as the bare definition in YAML or JSON. */
  const sendPlaybook = async (req: Request, res: Response, version: number | undefined) => {
    const stored = await repository.get(String(req.params.id), version).catch(storeError);
    if (!stored) throw new HttpError(404, 'not_found', `no playbook "${String(req.params.id)}"${version ? ` at version ${version}` : ''}`);
    const format = wantedFormat(req);
    if (format) {
      res.type(format === 'yaml' ? 'application/yaml' : 'application/json').send(formatPlaybook(stored.definition, format));
      return;
    }
    res.json(present(stored));
  };

  router.get('/playbooks/:id', async (req, res: Response) => {
    await sendPlaybook(req, res, req.query.version === undefined ? undefined : Number(req.query.version));
  });

  router.get('/playbooks/:id/versions/:version', async (req, res: Response) => {
    const version = String(req.params.version);
    if (!/^[1-9]\d{0,8}$/.test(version)) throw new HttpError(400, 'invalid_input', `a version is a whole number from 1 up, got "${version.slice(0, 20)}"`, ['version: a whole number from 1 up']);
    await sendPlaybook(req, res, Number(version));
  });

  router.get('/playbooks/:id/versions', async (req, res) => {
    const id = String(req.params.id);
    if (!(await repository.get(id).catch(storeError))) throw new HttpError(404, 'not_found', `no playbook "${id}"`);
    res.json({ items: await repository.versions(id).catch(storeError) });
  });

  router.post('/playbooks', text, async (req, res) => {
    const playbook = playbookFromBody(req);
    if (RESERVED_PLAYBOOK_IDS.includes(playbook.id)) {
      throw new HttpError(400, 'invalid_input', 'invalid playbook: 1 problem(s)', [reservedIdProblem(playbook.id)], undefined, [{ path: 'id', message: reservedIdProblem(playbook.id).slice(4) }]);
    }
    const stored = await repository.create(playbook, actorOf(req, res)).catch(storeError);
    res.status(201).location(`/api/v1/playbooks/${stored.id}`).json(present(stored));
  });

  router.put('/playbooks/:id', mayEditCurrent, text, async (req, res) => {
    const id = String(req.params.id);
    const playbook = playbookFromBody(req);
    if (playbook.id !== id) throw new HttpError(400, 'invalid_input', `the body is playbook "${playbook.id}", the URL says "${id}"`, ['id: must match the URL']);
    const ifMatch = req.get('If-Match')?.replace(/"/g, '');
    if (ifMatch !== undefined && !/^\d+$/.test(ifMatch)) throw new HttpError(400, 'invalid_input', 'If-Match must be the version number you edited');
    const stored = await repository.replace(id, playbook, actorOf(req, res), ifMatch ? { expectedVersion: Number(ifMatch) } : {}).catch(storeError);
    res.json({ ...present(stored), changed: stored.changed });
  });

  for (const action of ['archive', 'restore'] as const) {
    router.post(`/playbooks/:id/${action}`, mayEditCurrent, async (req, res) => {
      res.json(present(await repository[action](String(req.params.id), actorOf(req, res)).catch(storeError)));
    });
  }

  router.post('/playbooks/:id/duplicate', async (req, res) => {
    const body = duplicatePlaybookSchema.safeParse(req.body ?? {});
    if (!body.success) throw new HttpError(400, 'invalid_input', 'duplicate needs the new playbook id', body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    const stored = await repository.duplicate(String(req.params.id), body.data.id, actorOf(req, res), body.data.title).catch(storeError);
    res.status(201).json(present(stored));
  });

  return router;
}

function stripUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
