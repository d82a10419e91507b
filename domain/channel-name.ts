/**
 * Mattermost's rules for channel names (the URL part): lower case, letters, digits, "-" and "_", at most 64 characters.
 * The name itself comes from the playbook's template (`channelNameFromTemplate`); the ID or number in it makes it unique
 * and lets a retried launch find the channel it already created.
 */
export const MAX_CHANNEL_DISPLAY_NAME_LENGTH = 64;

export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function incidentChannelDisplayName(incidentName: string): string {
  const name = incidentName.trim().replace(/\s+/g, ' ');
  return name.length <= MAX_CHANNEL_DISPLAY_NAME_LENGTH ? name : `${name.slice(0, MAX_CHANNEL_DISPLAY_NAME_LENGTH - 1)}…`;
}
