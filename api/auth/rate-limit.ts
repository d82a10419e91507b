/**
 * Rate limits for the REST API: an in-memory token bucket per caller (the token's name; the client's IP address in open
 * mode). API_RATE_LIMIT is a rate like `20/s` or `600/m`; a bucket holds twice the rate, so a caller may burst to two
 * seconds' (or minutes') worth of requests and then gets the rate. Over it: 429 `rate_limited` with `Retry-After`.
 *
 * The buckets live in the API process: with several API processes behind a load balancer each allows the full rate, so
 * the effective limit is the rate times the number of processes.
 *
 * Memory stays bounded: a bucket that has refilled completely is the same as no bucket, so idle ones are dropped (swept
 * at most once per refill period), and the number of buckets is capped; past the cap the least recently used bucket is
 * forgotten (that caller starts again with a full bucket).
 */
import type { Request, RequestHandler, Response } from 'express';
import { HttpError } from '../http-error.js';
import { ANONYMOUS, callerOf } from './api-tokens.js';

export interface RateLimit {
  /** Requests per unit. */
  count: number;
  unit: 's' | 'm';
}

const UNIT_MS = { s: 1_000, m: 60_000 } as const;
export const RATE_LIMIT_FORMAT = 'a rate like "20/s" or "600/m" (requests per second or per minute)';

/** `20/s`, `600/m` (also `20/sec`, `600/min`); undefined when it is not a rate. */
export function parseRateLimit(text: string): RateLimit | undefined {
  const match = /^(\d{1,7})\s*\/\s*(s|sec|second|m|min|minute)$/i.exec(text.trim());
  if (!match) return undefined;
  const count = Number(match[1]);
  if (count < 1) return undefined;
  return { count, unit: match[2]!.toLowerCase().startsWith('s') ? 's' : 'm' };
}

export function formatRateLimit(limit: RateLimit): string {
  return `${limit.count}/${limit.unit}`;
}

export type TakeResult = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  readonly capacity: number;
  private readonly perMs: number;
  /** How long an empty bucket takes to fill up: after that long idle, a bucket is the same as none. */
  private readonly fullAfterMs: number;
  private readonly now: () => number;
  private readonly maxBuckets: number;
  /** In order of last use (a used bucket is moved to the end), so the first is the least recently used. */
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep: number;

  constructor(readonly limit: RateLimit, options: { now?: () => number; maxBuckets?: number } = {}) {
    this.capacity = limit.count * 2;
    this.perMs = limit.count / UNIT_MS[limit.unit];
    this.fullAfterMs = this.capacity / this.perMs;
    this.now = options.now ?? (() => performance.now());
    this.maxBuckets = Math.max(1, options.maxBuckets ?? 10_000);
    this.lastSweep = this.now();
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Takes one request from the key's bucket, or says how many whole seconds until one is there. */
  take(key: string): TakeResult {
    const now = this.now();
    if (now - this.lastSweep >= this.fullAfterMs) this.sweep(now);
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key);
      // A clock that goes backwards refills nothing.
      bucket.tokens = Math.min(this.capacity, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs);
      bucket.at = now;
    } else {
      if (this.buckets.size >= this.maxBuckets) this.sweep(now);
      while (this.buckets.size >= this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value!);
      bucket = { tokens: this.capacity, at: now };
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens) };
    }
    const waitMs = (1 - bucket.tokens) / this.perMs;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Whether the key's bucket is empty now (nothing taken: a look before deciding to take). */
  isEmpty(key: string): boolean {
    const bucket = this.buckets.get(key);
    if (!bucket) return false;
    return bucket.tokens + Math.max(0, this.now() - bucket.at) * this.perMs < 1;
  }

  /** Forgets every bucket that has filled up again. */
  sweep(now = this.now()): void {
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + Math.max(0, now - bucket.at) * this.perMs >= this.capacity) this.buckets.delete(key);
    }
  }
}

/** Whose bucket a request takes from: the token's name, or (open mode) the client's address. */
export function rateLimitKey(req: Request, res: Response): string {
  const caller = callerOf(res);
  if (caller && caller.name !== ANONYMOUS.name) return `caller:${caller.name}`;
  return `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
}

/** Middleware: 429 `rate_limited` with `Retry-After` once the caller's bucket is empty. Mount after `authenticate`. */
export function rateLimit(options: { limit: RateLimit; now?: () => number; maxBuckets?: number }): RequestHandler {
  const buckets = new TokenBuckets(options.limit, {
    ...(options.now ? { now: options.now } : {}),
    ...(options.maxBuckets ? { maxBuckets: options.maxBuckets } : {}),
  });
  const described = `${formatRateLimit(options.limit)} per caller (bursts up to ${buckets.capacity})`;
  return (req, res, next) => {
    const result = buckets.take(rateLimitKey(req, res));
    if (result.allowed) {
      next();
      return;
    }
    res.set('Retry-After', String(result.retryAfterSeconds));
    next(new HttpError(429, 'rate_limited', `too many requests: the limit is ${described}; retry in ${result.retryAfterSeconds} s`));
  };
}
