/**
 * Structured logs (pino, one JSON object per line). Lines about one incident carry its `incidentId`; anything that could
 * hold a secret is redacted before it is written.
 */
import { pino, type Logger } from 'pino';

export const REDACTED_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  // The web app's session cookie.
  'headers.cookie',
  'req.headers.cookie',
  '*.clientSecret',
  '*.token',
  '*.apiKey',
  '*.password',
  '*.secret',
  'token',
  'apiKey',
  'password',
  'secret',
];

export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'incidents',
    level: options.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
}

export type { Logger };
