/**
 * Mattermost's AppError `{id, message, detailed_error, request_id, status_code}` (Client4 builds its ClientError from
 * that body, not from the HTTP status) and the errors the routes answer, each with the id the real server uses.
 */
import { newMattermostId } from './ids.js';

export class MattermostApiError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return appErrorBody(this.status, this.id, this.message);
  }
}

export function appErrorBody(status: number, id: string, message: string): Record<string, unknown> {
  return { id, message, detailed_error: '', request_id: newMattermostId(), status_code: status };
}

/** The ids the real server uses for these statuses when no handler picked a more specific one (faults, unknown routes). */
export const GENERIC_ERROR_IDS: Record<number, string> = {
  400: 'api.context.invalid_param.app_error',
  401: 'api.context.session_expired.app_error',
  403: 'api.context.permissions.app_error',
  404: 'api.context.404.app_error',
  501: 'api.context.not_implemented.app_error',
};

export const apiError = (status: number, id: string, message: string) => new MattermostApiError(status, id, message);
export const invalidBodyParam = (name: string) =>
  apiError(400, 'api.context.invalid_param.app_error', `Missing or invalid ${name} in the request body.`);
/** What Mattermost answers for a missing or malformed field of a JSON body (the channel members route, for one). */
export const invalidBodyField = (name: string) => apiError(400, 'api.context.invalid_body_param.app_error', `Invalid or missing ${name} in request body.`);
export const invalidUrlParam = (name: string) =>
  apiError(400, 'api.context.invalid_url_param.app_error', `Missing or invalid ${name} in the request URL.`);
export const forbidden = () => apiError(403, 'api.context.permissions.app_error', 'The session lacks the permission for this.');
export const userNotFound = () => apiError(404, 'app.user.missing_account.const', 'No such user.');
export const teamNotFound = () => apiError(404, 'app.team.get.find.app_error', 'No such team.');
export const teamNameNotFound = () => apiError(404, 'app.team.get_by_name.missing.app_error', 'No team with that name.');
export const channelNotFound = () => apiError(404, 'app.channel.get.existing.app_error', 'No such channel.');
export const channelNameTaken = () =>
  apiError(400, 'store.sql_channel.save_channel.exists.app_error', 'A channel with that name already exists in the team.');
export const memberNotFound = () => apiError(404, 'app.channel.get_member.missing.app_error', 'That user is not a member of the channel.');
export const groupNotFound = () => apiError(404, 'app.group.no_rows', 'No group found.');
export const groupsUnlicensed = () => apiError(501, 'api.custom_groups.license_error', 'The server is not licensed for user groups.');
export const postNotFound = () => apiError(404, 'app.post.get.app_error', 'No such post.');
export const categoryNotFound = () => apiError(404, 'app.channel.sidebar_categories.app_error', 'No such category in this sidebar.');
