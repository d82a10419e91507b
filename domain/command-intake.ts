/**
 * Checks on a command where it comes in (the REST route, the Update's validator), beside its schema. They are not in
 * the schema because the schema is applied again when an incident replays its history, and what an older version
 * accepted must replay the same; a validator runs only for new commands.
 *
 * - links people click are http(s) only;
 * - Mattermost's special mentions (all, channel, here) are never anybody's username: a commander or assignee "@all"
 *   would ping the whole channel each time the bot names them.
 */
import { IncidentCommandError } from './errors.js';
import { checkCommandLinks } from './web-links.js';

export const SPECIAL_MENTION_NAMES: readonly string[] = ['all', 'channel', 'here'];

/** The payload fields that name a person the incident will address. */
const PERSON_FIELDS = ['commander', 'assignee', 'reporter'] as const;

export function isSpecialMentionName(username: string): boolean {
  return SPECIAL_MENTION_NAMES.includes(username.trim().replace(/^@/, '').toLowerCase());
}

export function checkIncomingCommand(name: string, payload: unknown): void {
  checkCommandLinks(name, payload);
  const fields = (payload ?? {}) as Record<string, unknown>;
  for (const field of PERSON_FIELDS) {
    const value = fields[field];
    if (typeof value === 'string' && isSpecialMentionName(value)) {
      const problem = `${field}: "${value.trim()}" is a Mattermost special mention (@all, @channel, @here), not a person`;
      throw new IncidentCommandError('invalid_input', `invalid ${name} payload: ${problem}`, [problem]);
    }
  }
}
