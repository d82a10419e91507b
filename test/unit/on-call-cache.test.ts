/**
 * The worker's memory of who is on call (activities/on-call.ts): how long an answer is taken, per schedule only, never
 * an empty one or a failure, one call for lookups that overlap, and which lookups may take it (a first launch's) and
 * which always ask (`/incident retry oncall`).
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createOnCallActivities, ON_CALL_CACHE_MS, OnCallCache } from '../../activities/on-call.js';
import type { OnCallPort } from '../../activities/ports/on-call.js';

/** An on-call service whose schedules the test sets, counting the lookups it is asked. */
function onCallService(schedules: Record<string, string[]>) {
  const asked: Array<string | undefined> = [];
  const port: OnCallPort = {
    provider: 'opsgenie',
    async whoIsOnCall(schedule) {
      asked.push(schedule);
      const people = schedules[schedule ?? 'default'];
      if (!people) throw new Error(`no schedule ${schedule}`);
      return [...people];
    },
    findAlert: async () => undefined,
    createAlert: async (request) => ({ id: request.alias, alias: request.alias, status: 'open' }),
    closeAlert: async () => undefined,
  };
  return { port, asked, schedules };
}

class Clock {
  ms = 1_000_000;
  now = () => this.ms;
}

const ignore = () => undefined;
const quiet = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };
const activity = () => new MockActivityEnvironment({}, { logger: quiet });

describe('OnCallCache', () => {
  it('takes an answer for its time to live, counted from when it was asked, then asks again', async () => {
    const clock = new Clock();
    const cache = new OnCallCache(30_000, clock.now);
    const service = onCallService({ primary: ['oscar@example.com'] });
    expect(await cache.lookUp('primary', () => service.port.whoIsOnCall('primary'))).toEqual(['oscar@example.com']);
    clock.ms += 29_999;
    expect(cache.recent('primary')).toEqual(['oscar@example.com']);
    clock.ms += 1;
    expect(cache.recent('primary')).toBeUndefined();
  });

  it('keeps each schedule apart, and the default schedule apart from every named one', async () => {
    const cache = new OnCallCache(30_000, new Clock().now);
    const service = onCallService({ payments: ['pat@example.com'], search: ['sam@example.com'], default: ['dora@example.com'] });
    await cache.lookUp('payments', () => service.port.whoIsOnCall('payments'));
    expect(cache.recent('search')).toBeUndefined();
    expect(cache.recent(undefined)).toBeUndefined();
    await cache.lookUp(undefined, () => service.port.whoIsOnCall(undefined));
    expect(cache.recent('payments')).toEqual(['pat@example.com']);
    expect(cache.recent(undefined)).toEqual(['dora@example.com']);
    // What the caller does with an answer does not change the kept one.
    cache.recent('payments')!.push('mallory@example.com');
    expect(cache.recent('payments')).toEqual(['pat@example.com']);
  });

  it('keeps neither nobody on call nor a failure, and forgets an answer once a later one says nobody', async () => {
    const cache = new OnCallCache(30_000, new Clock().now);
    const service = onCallService({ primary: [] });
    expect(await cache.lookUp('primary', () => service.port.whoIsOnCall('primary'))).toEqual([]);
    expect(cache.recent('primary')).toBeUndefined();
    await expect(cache.lookUp('ghost', () => service.port.whoIsOnCall('ghost'))).rejects.toThrow('no schedule ghost');
    expect(cache.recent('ghost')).toBeUndefined();
    service.schedules.primary = ['oscar@example.com'];
    await cache.lookUp('primary', () => service.port.whoIsOnCall('primary'));
    service.schedules.primary = [];
    await cache.lookUp('primary', () => service.port.whoIsOnCall('primary'));
    expect(cache.recent('primary')).toBeUndefined();
  });

  it('makes one call for lookups of a schedule that overlap (an alert storm), and a new one after it failed', async () => {
    const cache = new OnCallCache(30_000, new Clock().now);
    let answer!: (emails: string[]) => void;
    let calls = 0;
    const ask = () => {
      calls += 1;
      return new Promise<string[]>((resolve) => {
        answer = resolve;
      });
    };
    const lookups = [cache.lookUp('primary', ask), cache.lookUp('primary', ask), cache.lookUp('primary', ask)];
    answer(['oscar@example.com']);
    expect(await Promise.all(lookups)).toEqual([['oscar@example.com'], ['oscar@example.com'], ['oscar@example.com']]);
    expect(calls).toBe(1);

    await expect(cache.lookUp('other', () => Promise.reject(new Error('Opsgenie could not be reached')))).rejects.toThrow('could not be reached');
    expect(await cache.lookUp('other', async () => ['olga@example.com'])).toEqual(['olga@example.com']);
  });
});

describe('lookUpOnCall', () => {
  it("gives a first launch what the worker found moments ago; a lookup that is not a first launch's asks the service", async () => {
    const clock = new Clock();
    const service = onCallService({ primary: ['oscar@example.com'] });
    const { lookUpOnCall } = createOnCallActivities(service.port, new OnCallCache(ON_CALL_CACHE_MS, clock.now));
    expect(await activity().run(lookUpOnCall, { key: 'a:oncall', schedule: 'primary', fresh: true })).toEqual({ emails: ['oscar@example.com'] });
    // A handover: the next first launch within the time to live still invites oscar, without asking.
    service.schedules.primary = ['petra@example.com'];
    expect(await activity().run(lookUpOnCall, { key: 'b:oncall', schedule: 'primary', fresh: true })).toEqual({ emails: ['oscar@example.com'] });
    expect(service.asked).toEqual(['primary']);
    // `/incident retry oncall` (not a first launch) asks, and what it learns is what the next first launch gets.
    expect(await activity().run(lookUpOnCall, { key: 'b:oncall', schedule: 'primary' })).toEqual({ emails: ['petra@example.com'] });
    expect(await activity().run(lookUpOnCall, { key: 'c:oncall', schedule: 'primary', fresh: true })).toEqual({ emails: ['petra@example.com'] });
    expect(service.asked).toEqual(['primary', 'primary']);
    // Past the time to live, a first launch asks too.
    service.schedules.primary = ['quinn@example.com'];
    clock.ms += ON_CALL_CACHE_MS;
    expect(await activity().run(lookUpOnCall, { key: 'd:oncall', schedule: 'primary', fresh: true })).toEqual({ emails: ['quinn@example.com'] });
    expect(service.asked).toEqual(['primary', 'primary', 'primary']);
  });

  it('never answers one team with the on-call of another team’s schedule', async () => {
    const service = onCallService({ 'Payments on-call': ['pat@example.com'], 'Search on-call': ['sam@example.com'], default: ['dora@example.com'] });
    const { lookUpOnCall } = createOnCallActivities(service.port, new OnCallCache(ON_CALL_CACHE_MS, new Clock().now));
    const lookUp = (schedule?: string) => activity().run(lookUpOnCall, { key: 'x:oncall', ...(schedule ? { schedule } : {}), fresh: true });
    expect(await lookUp('Payments on-call')).toEqual({ emails: ['pat@example.com'] });
    expect(await lookUp('Search on-call')).toEqual({ emails: ['sam@example.com'] });
    expect(await lookUp()).toEqual({ emails: ['dora@example.com'] });
    expect(await lookUp('Payments on-call')).toEqual({ emails: ['pat@example.com'] });
    expect(service.asked).toEqual(['Payments on-call', 'Search on-call', undefined]);
  });
});

describe('onCallPeople', () => {
  /** The chat's users by e-mail, counting the lookups. */
  const chatPeople = (users: Record<string, string>) => {
    const asked: string[][] = [];
    return {
      asked,
      usernamesForEmails: async (emails: string[]) => {
        asked.push([...emails]);
        return { found: emails.filter((email) => users[email]).map((email) => users[email]!), missing: emails.filter((email) => !users[email]) };
      },
    };
  };

  it('answers with chat users in one activity, and a first launch takes the users found moments ago with the answer', async () => {
    const clock = new Clock();
    const service = onCallService({ primary: ['oscar@example.com', 'ghost@example.com'] });
    const chat = chatPeople({ 'oscar@example.com': 'oscar', 'petra@example.com': 'petra' });
    const { onCallPeople } = createOnCallActivities(service.port, new OnCallCache(ON_CALL_CACHE_MS, clock.now), chat);
    const first = { found: ['oscar'], missing: ['ghost@example.com'] };
    expect(await activity().run(onCallPeople, { key: 'a:oncall', schedule: 'primary', fresh: true })).toEqual(first);
    expect(await activity().run(onCallPeople, { key: 'b:oncall', schedule: 'primary', fresh: true })).toEqual(first);
    expect(service.asked).toEqual(['primary']);
    expect(chat.asked).toEqual([['oscar@example.com', 'ghost@example.com']]);

    // `/incident retry oncall` asks both again, and the next first launch gets what it found.
    service.schedules.primary = ['petra@example.com'];
    expect(await activity().run(onCallPeople, { key: 'b:oncall', schedule: 'primary' })).toEqual({ found: ['petra'], missing: [] });
    expect(await activity().run(onCallPeople, { key: 'c:oncall', schedule: 'primary', fresh: true })).toEqual({ found: ['petra'], missing: [] });
    expect(service.asked).toEqual(['primary', 'primary']);
    expect(chat.asked).toHaveLength(2);

    // The users go with the answer they were found for: past its time to live, both are asked again.
    clock.ms += ON_CALL_CACHE_MS;
    expect(await activity().run(onCallPeople, { key: 'd:oncall', schedule: 'primary', fresh: true })).toEqual({ found: ['petra'], missing: [] });
    expect(service.asked).toHaveLength(3);
    expect(chat.asked).toHaveLength(3);
  });

  it('asks chat nothing when nobody is on call, and keeps nothing when chat fails', async () => {
    const service = onCallService({ empty: [], primary: ['oscar@example.com'] });
    const chat = chatPeople({ 'oscar@example.com': 'oscar' });
    let failing = true;
    const flaky = {
      usernamesForEmails: (emails: string[]) => (failing ? Promise.reject(new Error('Mattermost could not be reached')) : chat.usernamesForEmails(emails)),
    };
    const { onCallPeople } = createOnCallActivities(service.port, new OnCallCache(ON_CALL_CACHE_MS, new Clock().now), flaky);
    expect(await activity().run(onCallPeople, { key: 'a:oncall', schedule: 'empty', fresh: true })).toEqual({ found: [], missing: [] });
    expect(chat.asked).toEqual([]);
    await expect(activity().run(onCallPeople, { key: 'b:oncall', schedule: 'primary', fresh: true })).rejects.toThrow('could not be reached');
    failing = false;
    // The service's answer is kept (it came), the users are found now.
    expect(await activity().run(onCallPeople, { key: 'b:oncall', schedule: 'primary', fresh: true })).toEqual({ found: ['oscar'], missing: [] });
    expect(service.asked).toEqual(['empty', 'primary']);
    expect(chat.asked).toHaveLength(1);
  });

  it('says what is missing when the worker has no chat adapter', async () => {
    const { onCallPeople } = createOnCallActivities(onCallService({ primary: ['oscar@example.com'] }).port);
    await expect(activity().run(onCallPeople, { key: 'a:oncall', schedule: 'primary' })).rejects.toThrow(/without a chat adapter/);
  });
});
