/**
 * Signed payloads for what Mattermost echoes back to us without credentials: a button's `integration.context` and a
 * dialog's `state`. The payload is readable (base64url JSON) but cannot be forged or altered without the secret, and it
 * expires. Comparison is constant-time.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export class SignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignatureError';
  }
}

function mac(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

export interface SignedEnvelope<T> {
  /** The payload. */
  p: T;
  /** Expiry, ms since epoch. */
  exp: number;
  /** A random nonce: also the idempotency key of what the click does, so a replayed click applies at most once. */
  n: string;
}

export function signPayload<T>(secret: string, payload: T, ttlMs: number, now = Date.now()): string {
  const envelope: SignedEnvelope<T> = { p: payload, exp: now + ttlMs, n: randomBytes(12).toString('base64url') };
  const body = Buffer.from(JSON.stringify(envelope)).toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

export function verifyPayload<T>(secret: string, token: unknown, now = Date.now()): SignedEnvelope<T> {
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
    throw new SignatureError('missing or malformed signature');
  }
  const [body, signature] = token.split('.') as [string, string];
  const expected = mac(secret, body);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new SignatureError('bad signature');
  const envelope = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SignedEnvelope<T>;
  if (typeof envelope.exp !== 'number' || envelope.exp < now) throw new SignatureError('this button or dialog has expired');
  return envelope;
}

/** Constant-time check of a shared token against the configured ones (several teams may each have their own). */
export function tokenMatches(candidate: string | undefined, accepted: readonly string[]): boolean {
  if (!candidate) return false;
  const given = createHmac('sha256', 'token-compare').update(candidate).digest();
  let match = false;
  for (const token of accepted) {
    const expected = createHmac('sha256', 'token-compare').update(token).digest();
    if (timingSafeEqual(given, expected)) match = true;
  }
  return match;
}
