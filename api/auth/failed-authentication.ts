/**
 * Failed authentication is limited per client address, through every door: a wrong API token (401), a wrong slash
 * command or webhook token (401), a forged button or dialog signature (the handler marks it). An address past the limit
 * gets 429 for everything until its bucket refills, before any token is looked at, so guessing cannot go on at full
 * speed and a flood of bad tokens costs no hashing. Tokens are long and random, so this is about noise and load more
 * than odds; an address shared by many clients (a proxy) shares the limit: set it with AUTH_FAILURE_LIMIT.
 */
import type { Request, RequestHandler, Response } from 'express';
import { HttpError } from '../http-error.js';
import { formatRateLimit, TokenBuckets, type RateLimit } from './rate-limit.js';

/** Ten failures a minute, bursts of twenty: more than a person mistyping, far less than a script guessing. */
export const DEFAULT_AUTH_FAILURE_LIMIT: RateLimit = { count: 10, unit: 'm' };

/** Marks a response as a failed authentication that is not a 401 (a forged signature answered 403). */
export function markAuthenticationFailed(res: Response): void {
  res.locals.authenticationFailed = true;
}

const addressOf = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

export function limitFailedAuthentication(options: { limit?: RateLimit; now?: () => number } = {}): RequestHandler {
  const limit = options.limit ?? DEFAULT_AUTH_FAILURE_LIMIT;
  const failures = new TokenBuckets(limit, options.now ? { now: options.now } : {});
  return (req, res, next) => {
    const address = addressOf(req);
    if (failures.isEmpty(address)) {
      // Counted as one more failure: an address that keeps trying stays refused.
      const taken = failures.take(address);
      const retryAfter = taken.allowed ? 1 : taken.retryAfterSeconds;
      res.set('Retry-After', String(retryAfter));
      next(new HttpError(429, 'rate_limited', `too many failed authentications from this address (the limit is ${formatRateLimit(limit)}); retry in ${retryAfter} s`, [], retryAfter));
      return;
    }
    res.on('finish', () => {
      if (res.statusCode === 401 || res.locals.authenticationFailed === true) failures.take(address);
    });
    next();
  };
}
