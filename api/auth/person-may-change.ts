/**
 * The chat rule for people on the REST API: a person signed in to the web app with Mattermost changes an incident only
 * as a member of its channel (or as an incident admin), exactly as `/incident` in chat would let them. API tokens keep
 * their scopes: they are ops and automation, not people. Mount on /api/v1/incidents/:id after authentication.
 */
import type { RequestHandler } from 'express';
import { INCIDENT_ID_PATTERN } from '../../domain/new-incident.js';
import { HttpError } from '../http-error.js';
import { mayChangeIncident, NOT_A_MEMBER_MESSAGE, type ChannelMembership } from '../permissions.js';
import { callerOf } from './api-tokens.js';

export interface PersonMayChangeOptions {
  /** The incident's channel, from its current view. */
  channelOf(incidentId: string): Promise<string | undefined>;
  chat: ChannelMembership;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function personMayChangeIncident(options: PersonMayChangeOptions): RequestHandler {
  return (req, res, next) => {
    const person = callerOf(res)?.person;
    const id = req.params.id;
    if (SAFE_METHODS.has(req.method) || !person || person.admin || typeof id !== 'string' || !INCIDENT_ID_PATTERN.test(id)) {
      // A malformed ID is the route's to refuse, with its own message.
      next();
      return;
    }
    options
      .channelOf(id)
      .then((channelId) => mayChangeIncident(person, channelId, options.chat))
      .then((allowed) => next(allowed ? undefined : new HttpError(403, 'forbidden', NOT_A_MEMBER_MESSAGE)), next);
  };
}
