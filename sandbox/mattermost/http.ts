/**
 * What every route module shares: reading a request (path ids, "me", paging, typed body fields) the way Mattermost
 * does, and the route wrappers that find the session user and send a Reply, or the AppError a handler threw.
 */
import type { Request, Response } from 'express';
import { sendJson } from '../sandbox-server.js';
import { apiError, invalidBodyParam, invalidUrlParam, MattermostApiError } from './errors.js';
import { isRecord, isValidId } from './ids.js';
import type { MattermostWorld } from './state.js';
import type { SandboxUserProfile } from './types.js';

export const API = '/api/v4';
const PER_PAGE_DEFAULT = 60;
const PER_PAGE_MAX = 200;

export interface Reply {
  status: number;
  /** Sent as JSON, or as is when a Buffer (a file's bytes, with `headers`). */
  body: unknown;
  headers?: Record<string, string>;
}
export const ok = (body: unknown): Reply => ({ status: 200, body });
export const created = (body: unknown): Reply => ({ status: 201, body });
export const statusOk = (): Reply => ok({ status: 'OK' });

export function param(req: Request, name: string): string {
  const value = req.params[name];
  return typeof value === 'string' ? value : '';
}

export function idParam(req: Request, name: string): string {
  const value = param(req, name);
  if (!isValidId(value)) throw invalidUrlParam(name);
  return value;
}

export function queryString(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' ? value : undefined;
}

/** Mattermost falls back to the default for a missing or malformed number and caps per_page instead of failing. */
export function paging(req: Request): { page: number; perPage: number } {
  const page = Number.parseInt(queryString(req, 'page') ?? '', 10);
  const perPage = Number.parseInt(queryString(req, 'per_page') ?? '', 10);
  return {
    page: Number.isInteger(page) && page >= 0 ? page : 0,
    perPage: !Number.isInteger(perPage) || perPage < 0 ? PER_PAGE_DEFAULT : Math.min(perPage, PER_PAGE_MAX),
  };
}

export function pageOf<T>(items: T[], page: number, perPage: number): T[] {
  return items.slice(page * perPage, page * perPage + perPage);
}

export function bodyObject(req: Request, name = 'body'): Record<string, unknown> {
  if (!isRecord(req.body)) throw invalidBodyParam(name);
  return req.body;
}

export function bodyArray(req: Request, name: string): unknown[] {
  if (!Array.isArray(req.body)) throw invalidBodyParam(name);
  return req.body;
}

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidBodyParam(field);
  return value;
}

export function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidBodyParam(field);
  return value;
}

export function stringArray(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw invalidBodyParam(field);
  return value as string[];
}


/** "me" stands for the session user wherever a user id goes in a path. */
export function userIdParam(req: Request, session: SandboxUserProfile, name = 'user_id'): string {
  return param(req, name) === 'me' ? session.id : idParam(req, name);
}

// ---------------------------------------------------------------------------------------------------------------------
// Route wrappers

export type Handler = (req: Request, session: SandboxUserProfile) => Reply;

/** The auth middleware has put the session user's id in res.locals. */
const sessionOf = (world: MattermostWorld, res: Response): SandboxUserProfile => world.requireUser(String(res.locals.sessionUserId));

/** Runs a handler for the authenticated session and turns a thrown MattermostApiError into its AppError reply. */
export function route(world: MattermostWorld, handler: Handler) {
  return (req: Request, res: Response): void => {
    try {
      sendReply(res, handler(req, sessionOf(world, res)));
    } catch (error) {
      sendAppError(res, error);
    }
  };
}

/** The same for a handler that has to wait (reading an upload's body). */
export function asyncRoute(world: MattermostWorld, handler: (req: Request, session: SandboxUserProfile) => Promise<Reply>) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      sendReply(res, await handler(req, sessionOf(world, res)));
    } catch (error) {
      sendAppError(res, error);
    }
  };
}

function sendReply(res: Response, reply: Reply): void {
  if (!Buffer.isBuffer(reply.body)) {
    sendJson(res, reply.status, reply.body);
    return;
  }
  res.status(reply.status);
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  res.setHeader('Content-Length', reply.body.length);
  res.end(reply.body);
}

function sendAppError(res: Response, error: unknown): void {
  const appError =
    error instanceof MattermostApiError
      ? error
      : apiError(500, 'sandbox.internal.app_error', error instanceof Error ? error.message : String(error));
  sendJson(res, appError.status, appError.body());
}
