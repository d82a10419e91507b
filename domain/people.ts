/** How people are named across the product: Mattermost usernames, with or without the leading "@". */
import { z } from 'zod';

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const usernameSchema = z
  .string()
  .trim()
  .transform((name) => name.replace(/^@/, '').toLowerCase())
  .pipe(
    z
      .string()
      .regex(USERNAME_PATTERN, 'expected a Mattermost username like "alice" or "@alice" (letters, digits, ".", "-", "_")'),
  );

/** Who did something. Callers that cannot tell (a bare `temporal workflow signal`) are recorded as "unknown". */
export const actorSchema = usernameSchema.optional().transform((actor) => actor ?? 'unknown');
