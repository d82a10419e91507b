/**
 * Mattermost's validation rules for what clients send (model.Channel.IsValid, model.Post.IsValid, model.Dialog.IsValid),
 * with the limits and error ids of server/public/model.
 */
import { apiError } from './errors.js';
import { isRecord, runeLength } from './ids.js';

const CHANNEL_NAME_MAX = 64;
const CHANNEL_DISPLAY_NAME_MAX = 64;
const CHANNEL_PURPOSE_MAX = 250;
const CHANNEL_HEADER_MAX = 1024;
const POST_MESSAGE_MAX_RUNES = 16383;
const DIALOG_TITLE_MAX = 24;

export function checkChannelName(name: unknown): string {
  const valid =
    typeof name === 'string' &&
    name.length >= 1 &&
    name.length <= CHANNEL_NAME_MAX &&
    /^[a-z0-9_-]+$/.test(name) &&
    // "__" is how direct-message channel names are built, so other channels may not contain it.
    !name.includes('__');
  if (!valid) {
    throw apiError(400, 'model.channel.is_valid.name.app_error', `A channel name is 1 to ${CHANNEL_NAME_MAX} of a-z, 0-9, "-" and "_", without "__".`);
  }
  return name;
}

function checkLength(value: string, min: number, max: number, id: string, what: string): string {
  const length = runeLength(value);
  if (length < min || length > max) throw apiError(400, id, `${what} must be ${min} to ${max} characters long.`);
  return value;
}

export const checkDisplayName = (value: string) =>
  checkLength(value, 1, CHANNEL_DISPLAY_NAME_MAX, 'model.channel.is_valid.display_name.app_error', 'display_name');
export const checkHeader = (value: string) => checkLength(value, 0, CHANNEL_HEADER_MAX, 'model.channel.is_valid.header.app_error', 'header');
export const checkPurpose = (value: string) =>
  checkLength(value, 0, CHANNEL_PURPOSE_MAX, 'model.channel.is_valid.purpose.app_error', 'purpose');
export const checkMessage = (value: string) => checkLength(value, 0, POST_MESSAGE_MAX_RUNES, 'model.post.is_valid.msg.app_error', 'message');

export function dialogProblem(body: Record<string, unknown>): string | undefined {
  if (typeof body.trigger_id !== 'string' || body.trigger_id === '') return 'empty trigger_id';
  if (typeof body.url !== 'string' || body.url === '') return 'empty url';
  const dialog = body.dialog;
  if (!isRecord(dialog)) return 'missing dialog';
  const title = dialog.title;
  if (typeof title !== 'string' || title === '' || runeLength(title) > DIALOG_TITLE_MAX) {
    return `the title must be 1 to ${DIALOG_TITLE_MAX} characters`;
  }
  const elements = dialog.elements ?? [];
  if (!Array.isArray(elements)) return 'elements must be an array';
  const seen = new Set<string>();
  for (const element of elements) {
    const name = isRecord(element) ? element.name : undefined;
    if (typeof name !== 'string' || name === '') return 'every element needs a name';
    if (seen.has(name)) return `duplicate element name "${name}"`;
    seen.add(name);
  }
  return undefined;
}
