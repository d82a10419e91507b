/**
 * The chat's rules for people on the REST API: a person signed in to the web app with Mattermost changes an incident
 * only as a member of its channel (or as an incident admin), exactly as `/incident` in chat would let them; and an
 * incident whose channel is private is read only by its members (and incident admins), as in chat, where its details
 * are asked for inside its channel. API tokens keep their scopes: they are ops and automation, not people. Mount on
 * /api/v1/incidents/:id after authentication.
 */
import type { RequestHandler, Response } from 'express';
import { INCIDENT_ID_PATTERN } from '../../domain/new-incident.js';
import { HttpError } from '../http-error.js';
import { mayChangeIncident, NOT_A_MEMBER_MESSAGE, type ChannelMembership } from '../permissions.js';
import { callerOf } from './api-tokens.js';

export interface PersonRulesOptions {
  /** The incident's channel and whether it is private, from its current view (read for this response). */
  incidentOf(incidentId: string, res: Response): Promise<{ channelId?: string; private: boolean }>;
  chat: ChannelMembership;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const PRIVATE_INCIDENT_MESSAGE = "this incident's channel is private: only its members (and incident admins) can see it";

export function personMayChangeIncident(options: PersonRulesOptions): RequestHandler {
  return (req, res, next) => {
    const person = callerOf(res)?.person;
    const id = req.params.id;
    if (!person || person.admin || typeof id !== 'string' || !INCIDENT_ID_PATTERN.test(id)) {
      // A malformed ID is the route's to refuse, with its own message.
      next();
      return;
    }
    const reading = SAFE_METHODS.has(req.method);
    options
      .incidentOf(id, res)
      .then(async (incident) => {
        if (reading && !incident.private) return undefined;
        if (await mayChangeIncident(person, incident.channelId, options.chat)) return undefined;
        return new HttpError(403, 'forbidden', reading ? PRIVATE_INCIDENT_MESSAGE : NOT_A_MEMBER_MESSAGE);
      })
      .then(next, next);
  };
}
