/**
 * Durations as playbook authors write them: "30m", "2h", "1d", "1h30m" (days, hours, minutes, in that order; spaces
 * between the parts are allowed). Pure functions only: the workflow imports this through domain/playbook/.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** The text form, for editors (JSON Schema `pattern`) and for the parser below. */
export const DURATION_PATTERN = /^\s*(?=\d)(?:(\d{1,5})\s*d)?\s*(?:(\d{1,5})\s*h)?\s*(?:(\d{1,6})\s*m)?\s*$/;

/** The bounds a playbook accepts for any duration (due dates, reminders). */
export const MIN_DURATION_MS = MINUTE_MS;
export const MAX_DURATION_MS = 30 * DAY_MS;

/** Milliseconds for "1h30m", or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  const [, days = '0', hours = '0', minutes = '0'] = match;
  return Number(days) * DAY_MS + Number(hours) * HOUR_MS + Number(minutes) * MINUTE_MS;
}

/** The shortest text form of a whole number of minutes: 5_400_000 → "1h30m", 86_400_000 → "1d". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < MINUTE_MS) return '0m';
  let minutes = Math.floor(ms / MINUTE_MS);
  const days = Math.floor(minutes / (24 * 60));
  minutes -= days * 24 * 60;
  const hours = Math.floor(minutes / 60);
  minutes -= hours * 60;
  return `${days ? `${days}d` : ''}${hours ? `${hours}h` : ''}${minutes ? `${minutes}m` : ''}`;
}

/** How long something took or has lasted, for people: "1h30m", or "under a minute" (durations count whole minutes). */
export function formatElapsed(ms: number): string {
  return ms < MINUTE_MS ? 'under a minute' : formatDuration(ms);
}
