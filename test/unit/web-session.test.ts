/**
 * The web app's signed values: a session survives the round trip and nothing else does (another secret, another
 * purpose, an altered payload or signature, expiry, a session from the future, junk); cookies are read by exact name;
 * and where a sign-in may send the browser afterwards.
 */
import { describe, expect, it } from 'vitest';
import { cookieValue, newSession, openSession, openValue, sealSession, sealValue, setCookieHeader, SESSION_TTL_MS } from '../../api/auth/web-session.js';
import { safeReturnTo } from '../../api/web/auth-routes.js';

const SECRET = 'unit-test-session-secret-0123456789';
const MMID = 'abcdefghijklmnopqrstuvwxyz';

describe('sealed sessions', () => {
  it('opens what it sealed, with a fresh CSRF token per session', () => {
    const session = newSession({ via: 'mattermost', mmid: MMID }, 1_000);
    expect(openSession(sealSession(session, SECRET), SECRET, 2_000)).toEqual(session);
    expect(session.exp - session.iat).toBe(SESSION_TTL_MS);
    expect(newSession({ via: 'mattermost', mmid: MMID }).csrf).not.toBe(session.csrf);
  });

  it('refuses another secret, an altered payload or signature, and values sealed for another purpose', () => {
    const now = Date.now();
    const sealed = sealSession(newSession({ via: 'token', sub: 'ops', tok: '0123456789abcdef' }, now), SECRET);
    expect(openSession(sealed, `${SECRET}x`, now)).toBeUndefined();
    const [payload, mac] = sealed.split('.') as [string, string];
    const altered = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('"ops"', '"root"')).toString('base64url');
    expect(openSession(`${altered}.${mac}`, SECRET, now)).toBeUndefined();
    expect(openSession(`${payload}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`, SECRET, now)).toBeUndefined();
    // The sign-in's pending state is sealed with the same secret; it must never pass for a session.
    const pending = sealValue('ic_oauth', newSession({ via: 'token', sub: 'ops', tok: '0123456789abcdef' }, now), SECRET);
    expect(openSession(pending, SECRET, now)).toBeUndefined();
    expect(openValue('ic_oauth', pending, SECRET)).toMatchObject({ sub: 'ops' });
  });

  it('refuses expired sessions, sessions issued in the future, and junk', () => {
    const session = newSession({ via: 'mattermost', mmid: MMID }, 1_000);
    const sealed = sealSession(session, SECRET);
    expect(openSession(sealed, SECRET, session.exp)).toBeUndefined();
    expect(openSession(sealed, SECRET, 1_000 - 120_000)).toBeUndefined();
    for (const junk of ['', '.', 'a.b.c', 'x'.repeat(5_000), '%%%.%%%', `${Buffer.from('not json').toString('base64url')}.x`]) {
      expect(openSession(junk, SECRET, 2_000)).toBeUndefined();
    }
    const wrongShape = sealValue('ic_session', { v: 1, via: 'mattermost', mmid: 'not-an-id', csrf: 'x'.repeat(32), iat: 1_000, exp: 9e12 }, SECRET);
    expect(openSession(wrongShape, SECRET, 2_000)).toBeUndefined();
  });
});

describe('cookies', () => {
  it('reads a cookie by its exact name', () => {
    expect(cookieValue('a=1; ic_session=abc.def; ic_session_x=zzz', 'ic_session')).toBe('abc.def');
    expect(cookieValue('xic_session=1', 'ic_session')).toBeUndefined();
    expect(cookieValue(undefined, 'ic_session')).toBeUndefined();
  });

  it('sets HttpOnly, SameSite=Lax cookies, Secure on https, and clears them with Max-Age=0', () => {
    expect(setCookieHeader('ic_session', 'v', { secure: true })).toBe('ic_session=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=43200; Secure');
    expect(setCookieHeader('ic_oauth', undefined, { secure: false, path: '/app/auth' })).toBe('ic_oauth=; Path=/app/auth; HttpOnly; SameSite=Lax; Max-Age=0');
  });
});

describe('where a sign-in returns to', () => {
  it('keeps paths of the web app and sends everything else to /app/', () => {
    expect(safeReturnTo('/app/incidents/inc-1?tab=timeline')).toBe('/app/incidents/inc-1?tab=timeline');
    for (const elsewhere of [undefined, 42, '', '/', '//evil.example', '/app//evil.example', '/app/\\evil', 'https://evil.example/app/', '/api/v1/me', '/app/auth/login', '/app/ x', '/app/'.padEnd(600, 'a'), '/app/..//evil.example', '/app/./auth/sign-out', '/app/incidents/../../api/v1/me']) {
      expect(safeReturnTo(elsewhere), String(elsewhere)).toBe('/app/');
    }
  });
});
