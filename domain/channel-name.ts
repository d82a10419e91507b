/**
 * Mattermost's rules for channel names (the URL part): lower case, letters, digits, "-" and "_", 2 to 64 characters, not
 * starting or ending with a separator. The incident ID is part of the name, which makes it unique and lets a retried
 * launch find the channel it already created.
 */
export const MAX_CHANNEL_NAME_LENGTH = 64;
export const MAX_CHANNEL_DISPLAY_NAME_LENGTH = 64;

export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function incidentChannelName(incidentId: string, incidentName: string): string {
  const prefix = `incident-${slugify(incidentId)}`;
  const room = MAX_CHANNEL_NAME_LENGTH - prefix.length - 1;
  const slug = room > 0 ? slugify(incidentName).slice(0, room).replace(/-+$/, '') : '';
  return slug ? `${prefix}-${slug}` : prefix;
}

export function incidentChannelDisplayName(incidentName: string): string {
  const name = incidentName.trim().replace(/\s+/g, ' ');
  return name.length <= MAX_CHANNEL_DISPLAY_NAME_LENGTH ? name : `${name.slice(0, MAX_CHANNEL_DISPLAY_NAME_LENGTH - 1)}…`;
}
