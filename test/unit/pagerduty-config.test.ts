/**
 * Choosing the on-call service: ON_CALL_PROVIDER (Opsgenie unless it says PagerDuty), the PAGERDUTY_* settings and
 * their checks, which credentials are then required, and what selectIntegrations builds (the PagerDuty sandbox pair
 * when credentials are missing and sandboxes are allowed).
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/env.js';
import { PagerDutyOnCall } from '../../integrations/pagerduty/pagerduty-on-call.js';
import { pagerDutySeverity, parseSeverityMap } from '../../integrations/pagerduty/severity.js';
import { requireCredentials, selectIntegrations, systemsWithoutCredentials } from '../../workers/integrations.js';
import { loadWorkerConfig } from '../../workers/worker-config.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadWorkerConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
};

const ROUTING_KEY = 'a'.repeat(32);
const others = {
  MATTERMOST_URL: 'https://chat.example.com',
  MATTERMOST_BOT_TOKEN: 'bot-token',
  JIRA_URL: 'https://jira.example.com',
  JIRA_TOKEN: 'jira-token',
  ZOOM_ACCOUNT_ID: 'a',
  ZOOM_CLIENT_ID: 'b',
  ZOOM_CLIENT_SECRET: 'c',
};

describe('on-call provider settings', () => {
  it('default to Opsgenie, with PagerDuty hosts and the sev1..sev4 severity map ready', () => {
    const config = loadWorkerConfig({});
    expect(config.ON_CALL_PROVIDER).toBe('opsgenie');
    expect(config.PAGERDUTY_API_URL).toBe('https://api.pagerduty.com');
    expect(config.PAGERDUTY_EVENTS_URL).toBe('https://events.pagerduty.com');
    expect(config.PAGERDUTY_SEVERITY_MAP).toEqual({ sev1: 'critical', sev2: 'error', sev3: 'warning', sev4: 'info' });
    expect(loadWorkerConfig({ ON_CALL_PROVIDER: 'pagerduty' }).ON_CALL_PROVIDER).toBe('pagerduty');
  });

  it('refuse an unknown provider, a malformed routing key, a half-configured PagerDuty and a bad severity map', () => {
    expect(problemsOf({ ON_CALL_PROVIDER: 'victorops' })).toEqual([expect.stringMatching(/^ON_CALL_PROVIDER: /)]);
    const secret = 'not-a-routing-key-but-a-secret';
    const keyProblems = problemsOf({ PAGERDUTY_API_TOKEN: 't', PAGERDUTY_ROUTING_KEY: secret });
    expect(keyProblems).toEqual([expect.stringMatching(/^PAGERDUTY_ROUTING_KEY: expected the 32-character integration key/)]);
    expect(keyProblems.join()).not.toContain(secret);
    expect(problemsOf({ PAGERDUTY_API_TOKEN: 't' })).toEqual(['PAGERDUTY_ROUTING_KEY: PagerDuty needs PAGERDUTY_API_TOKEN, PAGERDUTY_ROUTING_KEY together']);
    expect(problemsOf({ PAGERDUTY_SEVERITY_MAP: 'sev1=critical,sev2=urgent,sev3' })).toEqual([
      'PAGERDUTY_SEVERITY_MAP: "sev2" maps to "urgent", not one of critical, error, warning, info',
      'PAGERDUTY_SEVERITY_MAP: "sev3" is not like "sev1=critical"',
    ]);
  });

  it('map severities case-insensitively, then the priority, and never through Object.prototype', () => {
    const { map, problems } = parseSeverityMap(' Major = CRITICAL , minor=info,P2=warning, minor=error');
    expect(problems).toEqual(['"minor" is mapped twice']);
    expect(map).toEqual({ major: 'critical', minor: 'info', p2: 'warning' });
    const at = (message: string, priority = 'P3', severity?: string) => pagerDutySeverity(map, { message, priority, ...(severity ? { severity } : {}) });
    expect(at('[MAJOR] x')).toBe('critical');
    expect(at('[other] x', 'P2')).toBe('warning');
    expect(at('[other] x', 'P1')).toBe('critical');
    expect(at('[constructor] x', 'P5')).toBe('info');
    expect(at('no tag', 'P9')).toBe('warning');
    expect(at('[minor] x', 'P1', 'major')).toBe('critical');
  });
});

describe('on-call credentials', () => {
  it('are the PagerDuty ones, not OPSGENIE_API_KEY, when ON_CALL_PROVIDER=pagerduty', () => {
    const pagerDuty = { ...others, ON_CALL_PROVIDER: 'pagerduty' };
    expect(systemsWithoutCredentials(loadWorkerConfig(pagerDuty))).toEqual(['PagerDuty']);
    expect(() => requireCredentials(loadWorkerConfig(pagerDuty), false)).toThrow(/^no credentials for PagerDuty: set PAGERDUTY_API_TOKEN and PAGERDUTY_ROUTING_KEY\. /);
    expect(systemsWithoutCredentials(loadWorkerConfig({ ...pagerDuty, PAGERDUTY_API_TOKEN: 't', PAGERDUTY_ROUTING_KEY: ROUTING_KEY }))).toEqual([]);
    // Opsgenie's key alone no longer does, and the default still asks for it.
    expect(systemsWithoutCredentials(loadWorkerConfig({ ...pagerDuty, OPSGENIE_API_KEY: 'og' }))).toEqual(['PagerDuty']);
    expect(systemsWithoutCredentials(loadWorkerConfig(others))).toEqual(['Opsgenie']);
  });
});

describe('selecting the on-call adapter', () => {
  const logger = pino({ level: 'silent' });

  it('starts the PagerDuty sandboxes (REST and Events API), not the Opsgenie one, when PagerDuty has no credentials', async () => {
    const selected = await selectIntegrations(loadWorkerConfig({ ON_CALL_PROVIDER: 'pagerduty' }), logger, { sandboxesAllowed: true });
    try {
      expect(Object.keys(selected.sandboxes).sort()).toEqual(['Jira', 'Mattermost', 'PagerDuty', 'PagerDuty Events', 'Zoom']);
      expect(selected.summary.filter((line) => line.startsWith('PagerDuty'))).toEqual([
        expect.stringMatching(/^PagerDuty: sandbox at http:\/\/127\.0\.0\.1:\d+ .* because PAGERDUTY_API_TOKEN\/PAGERDUTY_ROUTING_KEY is not set$/),
        expect.stringMatching(/^PagerDuty Events: sandbox at http:\/\/127\.0\.0\.1:\d+ /),
      ]);
      expect(selected.ports.onCall.provider).toBe('pagerduty');
      expect(await selected.ports.onCall.whoIsOnCall()).toEqual(['oscar@example.com']);
    } finally {
      await selected.stop();
    }
  });

  it('uses PagerDuty itself when its credentials are set', async () => {
    const config = loadWorkerConfig({
      ...others,
      ON_CALL_PROVIDER: 'pagerduty',
      PAGERDUTY_API_TOKEN: 't',
      PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
      PAGERDUTY_API_URL: 'https://api.eu.pagerduty.com',
      PAGERDUTY_EVENTS_URL: 'https://events.eu.pagerduty.com',
    });
    const selected = await selectIntegrations(config, logger, { sandboxesAllowed: false });
    try {
      expect(selected.sandboxes).toEqual({});
      expect(selected.ports.onCall).toBeInstanceOf(PagerDutyOnCall);
      expect(selected.summary).toContain('PagerDuty: https://api.eu.pagerduty.com (events https://events.eu.pagerduty.com)');
    } finally {
      await selected.stop();
    }
  });
});
