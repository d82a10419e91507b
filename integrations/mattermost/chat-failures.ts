/**
 * How the Mattermost adapter tells failures apart: the HTTP status behind a classified failure, "not found", and a
 * server without user groups.
 */
import { IntegrationError } from '../../activities/ports/integration-error.js';

/**
 * The HTTP status behind each failure the client classified. The classification keeps a kind, not the number, and some
 * answers need the number: a 501 (a feature the server's licence lacks) and a 503 (down for now) are both "Unavailable".
 */
const failureStatus = new WeakMap<IntegrationError, number>();

/** Kept by the bot client for each failure it classifies. */
export function rememberStatus(failure: IntegrationError, status: number): void {
  failureStatus.set(failure, status);
}

export function statusOf(error: unknown): number | undefined {
  return error instanceof IntegrationError ? failureStatus.get(error) : undefined;
}

export function isNotFound(error: unknown): boolean {
  return error instanceof IntegrationError && error.kind === 'NotFound';
}

/**
 * User groups are a licensed feature (custom groups: Professional; LDAP groups: Enterprise). A server without the
 * licence, or with custom groups turned off, answers the groups API with 501; a server older than the API with 404; one
 * that keeps groups from the bot with 403. None of these is worth a retry.
 */
/** What Mattermost Team Edition (no licence) answers for user groups: 501 "api endpoint requires a license". */
export const GROUPS_NEED_LICENCE = 'user groups are not available on this Mattermost server (they need a Professional or Enterprise licence)';

export function groupsUnavailable(): IntegrationError {
  return new IntegrationError('chat', GROUPS_NEED_LICENCE, false, 'GroupsUnavailable');
}

export function isGroupsUnavailable(error: unknown): boolean {
  const status = statusOf(error);
  return status === 501 || status === 404 || status === 403;
}
