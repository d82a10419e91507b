/** API tokens (parsing API_TOKENS, hashing, verifying), the open-mode decision, and the rate limiter's bucket math. */
import { describe, expect, it } from 'vitest';
import {
  decideApiAccess,
  generateToken,
  hashToken,
  isLoopbackHost,
  OPEN_MODE_WARNING,
  parseApiTokens,
  scopeAllows,
  scopeForMethod,
  tokenEntry,
  verifyToken,
} from '../../api/auth/api-tokens.js';
import { parseRateLimit, TokenBuckets } from '../../api/auth/rate-limit.js';
import { loadApiConfig } from '../../api/api-config.js';
import { ConfigError } from '../../config/env.js';

const hex = (c: string): string => c.repeat(64);

describe('API_TOKENS', () => {
  it('parses entries, normalising case, and lets one name have several tokens (rotation)', () => {
    const parsed = parseApiTokens(` alertmanager:write:sha256:${hex('a')}, CI-Bot:READ:SHA256:${hex('B')},ci-bot:read:sha256:${hex('c')},`);
    expect(parsed.problems).toEqual([]);
    expect(parsed.tokens).toEqual([
      { name: 'alertmanager', scope: 'write', sha256: hex('a') },
      { name: 'ci-bot', scope: 'read', sha256: hex('b') },
      { name: 'ci-bot', scope: 'read', sha256: hex('c') },
    ]);
    expect(parseApiTokens(undefined)).toEqual({ tokens: [], problems: [] });
  });

  it('names each bad entry by position and never repeats a secret', () => {
    const token = generateToken();
    const value = [
      `alice:write:sha256:${hex('a')}`,
      'just-a-name',
      `bob:root:sha256:${hex('b')}`,
      `carol:read:${token}`,
      token,
      `dave:admin:sha256:1234`,
      `Not A Name:read:sha256:${hex('d')}`,
      `anonymous:read:sha256:${hex('e')}`,
      `erin:read:sha256:${hex('a')}`,
      `alice:admin:sha256:${hex('f')}`,
    ].join(',');
    const { tokens, problems } = parseApiTokens(value);
    expect(tokens.map((t) => t.name)).toEqual(['alice']);
    expect(problems).toEqual([
      'entry 2: expected <name>:<scope>[+act-for][+alerts]:sha256:<64 hex digits>',
      'entry 3 (bob): the scope must be read, write or admin',
      expect.stringMatching(/^entry 4: expected .* \(it looks like it holds a token itself/),
      expect.stringMatching(/^entry 5: expected .* \(it looks like it holds a token itself/),
      'entry 6 (dave): expected sha256:<64 hex digits> after the scope: the SHA-256 of the token, never the token itself',
      expect.stringMatching(/^entry 7: the name must be a caller name/),
      'entry 8: "anonymous" is reserved for open mode; pick another name',
      'entry 9 (erin): the same token as entry 1; every token must be different',
      expect.stringMatching(/^entry 10 \(alice\): entry 1 gives "alice" the scope write, this one admin/),
    ]);
    expect(problems.join('\n')).not.toContain(token);
    expect(problems.join('\n')).not.toContain('Not A Name');
  });

  it('is validated with the rest of the configuration, as parsed tokens', () => {
    expect(loadApiConfig({}).API_TOKENS).toEqual([]);
    expect(loadApiConfig({ API_TOKENS: `ci-bot:write:sha256:${hex('a')}` }).API_TOKENS).toEqual([{ name: 'ci-bot', scope: 'write', sha256: hex('a') }]);
    const token = generateToken();
    let error: unknown;
    try {
      loadApiConfig({ API_TOKENS: `ci-bot:write:sha256:${hex('a')},ci-bot:write:${token}`, API_RATE_LIMIT: 'lots' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^API_TOKENS: entry 2: expected <name>:<scope>\[\+act-for\]\[\+alerts\]:sha256:<64 hex digits>/),
      'API_RATE_LIMIT: expected a rate like "20/s" or "600/m" (requests per second or per minute)',
    ]);
    expect((error as ConfigError).message).not.toContain(token);
  });
});

describe('act-for', () => {
  it('is a capability after the scope: parsed, carried to the caller, and nothing else may follow the scope', () => {
    const token = generateToken();
    const parsed = parseApiTokens(`${tokenEntry('bridge', 'write', token, { actFor: true })},ci:write+root:sha256:${'a'.repeat(64)}`);
    expect(parsed.tokens).toEqual([expect.objectContaining({ name: 'bridge', scope: 'write', actFor: true })]);
    expect(parsed.problems).toEqual(['entry 2 (ci): after the scope only "+act-for" (acting for other people) and "+alerts" (sending alerts) may follow']);
    expect(verifyToken(token, parsed.tokens)).toEqual({ name: 'bridge', scope: 'write', actFor: true });
    expect(tokenEntry('bridge', 'write', token, { actFor: true })).toMatch(/^bridge:write\+act-for:sha256:[0-9a-f]{64}$/);
  });
});

describe('alerts', () => {
  it('is a capability after the scope, with write at least, carried to the caller', () => {
    const token = generateToken();
    const parsed = parseApiTokens(`${tokenEntry('alertmanager', 'write', token, { alerts: true })},grafana:read+alerts:sha256:${'a'.repeat(64)}`);
    expect(parsed.tokens).toEqual([expect.objectContaining({ name: 'alertmanager', scope: 'write', alerts: true })]);
    expect(parsed.problems).toEqual(['entry 2 (grafana): "+alerts" needs the write scope (an alert starts and changes incidents)']);
    expect(verifyToken(token, parsed.tokens)).toEqual({ name: 'alertmanager', scope: 'write', alerts: true });
    expect(tokenEntry('bridge', 'write', token, { actFor: true, alerts: true })).toMatch(/^bridge:write\+act-for\+alerts:sha256:[0-9a-f]{64}$/);
    expect(parseApiTokens(tokenEntry('bridge', 'write', token, { actFor: true, alerts: true })).tokens).toEqual([expect.objectContaining({ actFor: true, alerts: true })]);
  });
});

describe('tokens', () => {
  it('are ict_ and 32 random bytes, and the entry holds their SHA-256', () => {
    const token = generateToken();
    expect(token).toMatch(/^ict_[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(token);
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(tokenEntry('ci-bot', 'write', token)).toBe(`ci-bot:write:sha256:${hashToken(token)}`);
  });

  it('verify against the configured hashes', () => {
    const [a, b] = [generateToken(), generateToken()];
    const { tokens } = parseApiTokens(`${tokenEntry('alertmanager', 'write', a)},${tokenEntry('grafana', 'read', b)}`);
    expect(verifyToken(a, tokens)).toEqual({ name: 'alertmanager', scope: 'write' });
    expect(verifyToken(b, tokens)).toEqual({ name: 'grafana', scope: 'read' });
    expect(verifyToken(`${a}x`, tokens)).toBeUndefined();
    expect(verifyToken(hashToken(a), tokens)).toBeUndefined();
    expect(verifyToken('', tokens)).toBeUndefined();
    expect(verifyToken(undefined, tokens)).toBeUndefined();
    expect(verifyToken(a, [])).toBeUndefined();
  });

  it('scopes nest: admin ⊃ write ⊃ read; reads need read, everything else write', () => {
    expect(scopeAllows('admin', 'write')).toBe(true);
    expect(scopeAllows('write', 'read')).toBe(true);
    expect(scopeAllows('read', 'write')).toBe(false);
    expect(scopeAllows('write', 'admin')).toBe(false);
    expect(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH'].map(scopeForMethod)).toEqual(['read', 'read', 'read', 'write', 'write', 'write', 'write']);
  });
});

describe('open mode', () => {
  it('is allowed on loopback only, and tokens make any host fine', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.0.0.2', 'LOCALHOST']) {
      expect(isLoopbackHost(host), host).toBe(true);
      expect(decideApiAccess(host, 0)).toEqual({ mode: 'open', warning: OPEN_MODE_WARNING });
    }
    expect(OPEN_MODE_WARNING).toBe('the REST API has no tokens (API_TOKENS); anyone on this machine can use it');
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'api.example.com', '128.0.0.1', 'localhost.example.com']) {
      expect(isLoopbackHost(host), host).toBe(false);
      const decision = decideApiAccess(host, 0);
      expect(decision.mode).toBe('refused');
      expect(decision.mode === 'refused' && decision.reason).toMatch(new RegExp(`listen on ${host.replace(/\./g, '\\.')} without API tokens.*Set API_TOKENS.*npm run api:token`));
    }
    expect(decideApiAccess('0.0.0.0', 2)).toEqual({ mode: 'tokens' });
    expect(decideApiAccess('127.0.0.1', 1)).toEqual({ mode: 'tokens' });
  });
});

describe('rate limits', () => {
  it('parse per second and per minute', () => {
    expect(parseRateLimit('20/s')).toEqual({ count: 20, unit: 's' });
    expect(parseRateLimit(' 600/m ')).toEqual({ count: 600, unit: 'm' });
    expect(parseRateLimit('5/min')).toEqual({ count: 5, unit: 'm' });
    for (const bad of ['0/s', '20', '20/h', 'fast', '-1/s', '1.5/s']) expect(parseRateLimit(bad), bad).toBeUndefined();
    expect(loadApiConfig({}).API_RATE_LIMIT).toEqual({ count: 20, unit: 's' });
    expect(loadApiConfig({ API_RATE_LIMIT: '3/s' }).API_RATE_LIMIT).toEqual({ count: 3, unit: 's' });
  });

  it('allow a burst of twice the rate, then the rate, with Retry-After in whole seconds (at least 1)', () => {
    let now = 0;
    const buckets = new TokenBuckets({ count: 3, unit: 's' }, { now: () => now });
    expect(buckets.capacity).toBe(6);
    for (let i = 0; i < 6; i++) expect(buckets.take('a').allowed, `request ${i + 1}`).toBe(true);
    expect(buckets.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    // Other callers have their own bucket.
    expect(buckets.take('b').allowed).toBe(true);
    now += 334; // one request's worth (1/3 s) has come back
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
    now += 1_000; // three more
    for (let i = 0; i < 3; i++) expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
    now += 60_000; // refills to the burst, not beyond
    for (let i = 0; i < 6; i++) expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
  });

  it('say how long to wait for a slow rate', () => {
    let now = 0;
    const buckets = new TokenBuckets({ count: 2, unit: 'm' }, { now: () => now });
    for (let i = 0; i < 4; i++) expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a')).toEqual({ allowed: false, retryAfterSeconds: 30 });
    now += 29_000;
    expect(buckets.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 1_000;
    expect(buckets.take('a').allowed).toBe(true);
  });

  it('forget idle buckets and never hold more than the cap', () => {
    let now = 0;
    const buckets = new TokenBuckets({ count: 10, unit: 's' }, { now: () => now, maxBuckets: 3 });
    for (const key of ['a', 'b', 'c']) buckets.take(key);
    expect(buckets.size).toBe(3);
    buckets.take('d'); // at the cap with none idle: the least recently used (a) goes
    expect(buckets.size).toBe(3);
    now += 2_000; // every bucket has refilled: idle ones are swept on the next request
    buckets.take('e');
    expect(buckets.size).toBe(1);
    // Many callers never grow the map past the cap.
    for (let i = 0; i < 1_000; i++) buckets.take(`caller-${i}`);
    expect(buckets.size).toBe(3);
  });

  it('refill nothing when the clock goes backwards', () => {
    let now = 10_000;
    const buckets = new TokenBuckets({ count: 1, unit: 's' }, { now: () => now });
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(true);
    now -= 5_000;
    expect(buckets.take('a').allowed).toBe(false);
  });
});
