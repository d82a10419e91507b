/**
 * Who a REST request acts as. A token acts as itself: its name is the actor of a command (`actor`) and the reporter of
 * an incident it starts (`reporter`) unless the body names someone else; naming someone else takes a token with the
 * act-for capability (the Mattermost bridge, trusted automation), and then the incident records the token beside the
 * person (`via`, set here and only here). Open mode (anonymous, loopback) lets the body decide, as on one's own machine.
 */
import type { RequestHandler } from 'express';
import { USERNAME_PATTERN } from '../../domain/people.js';
import { HttpError } from '../http-error.js';
import { mayActFor } from '../permissions.js';
import { ACT_FOR, ANONYMOUS, callerOf } from './api-tokens.js';

/** Mount on /api/v1/incidents (after authentication, before the routes). */
export function actAsCaller(): RequestHandler {
  return (req, res, next) => {
    const caller = callerOf(res);
    const body: unknown = req.body;
    if (req.method !== 'POST' || !caller) {
      next();
      return;
    }
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
      next();
      return;
    }
    const fields = (body ?? {}) as Record<string, unknown>;
    // `via` is ours to set: a caller cannot claim a token it does not hold.
    delete fields.via;
    req.body = fields;
    if (caller.name === ANONYMOUS.name) {
      next();
      return;
    }
    const field = req.path === '/' ? 'reporter' : 'actor';
    const named = typeof fields[field] === 'string' ? (fields[field] as string).trim().replace(/^@/, '').toLowerCase() : undefined;
    if (named === undefined || named === '') {
      fields[field] = caller.name;
    } else if (!mayActFor(caller, named)) {
      next(
        new HttpError(
          403,
          'forbidden',
          `the token of "${caller.name}" acts as itself; naming ${field} "${named.slice(0, 64)}" takes a token with the ${ACT_FOR} capability (npm run api:token -- <name> <scope> --${ACT_FOR})`,
        ),
      );
      return;
    } else if (named !== caller.name && field === 'actor' && USERNAME_PATTERN.test(caller.name)) {
      fields.via = caller.name;
    }
    next();
  };
}
