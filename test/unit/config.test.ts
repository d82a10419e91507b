/**
 * The configuration: defaults, a clear message naming each variable it cannot read, and one schema per process (the
 * API's, the worker's, npm start's which is both, and the smallest one for tools), each checking only what it reads.
 */
import { describe, expect, it } from 'vitest';
import { apiConfigSchema, loadApiConfig } from '../../api/api-config.js';
import { ConfigError } from '../../config/env.js';
import { baseConfigSchema, loadBaseConfig } from '../../config/shared-settings.js';
import { loadStartConfig, startConfigSchema } from '../../scripts/start-config.js';
import { loadWorkerConfig, workerConfigSchema } from '../../workers/worker-config.js';

/** The names of the variables a loader refuses, sorted; none when it accepts the environment. */
const refused = (load: (env: NodeJS.ProcessEnv) => unknown, env: Record<string, string>): string[] => {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => p.split(':')[0]!).sort();
  }
  return [];
};

describe('configuration', () => {
  it('has defaults that run the embedded stack on loopback', () => {
    const config = loadStartConfig({});
    expect(config).toMatchObject({
      TEMPORAL_TASK_QUEUE: 'incidents',
      TEMPORAL_DEV_SERVER_PORT: 7233,
      TEMPORAL_UI_PORT: 8233,
      API_HOST: '127.0.0.1',
      API_PORT: 8080,
    });
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
  });

  it('names every invalid variable', () => {
    expect(refused(loadApiConfig, { API_PORT: 'eighty', LOG_LEVEL: 'chatty', API_BODY_LIMIT: 'big' })).toEqual(['API_BODY_LIMIT', 'API_PORT', 'LOG_LEVEL']);
  });

  it('names each of the operations settings it cannot read (events, sandboxes, metrics, cache, stack traces, tracing)', () => {
    let error: unknown;
    try {
      loadStartConfig({
        MATTERMOST_EVENTS: 'yes',
        SANDBOXES: 'maybe',
        WORKER_METRICS_ADDRESS: '9464',
        WORKER_MAX_CACHED_WORKFLOWS: '-1',
        WORKER_WORKFLOW_STACK_TRACES: 'yes',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['MATTERMOST_EVENTS', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'SANDBOXES', 'WORKER_MAX_CACHED_WORKFLOWS', 'WORKER_METRICS_ADDRESS', 'WORKER_WORKFLOW_STACK_TRACES'],
    );
    expect((error as ConfigError).problems.find((p) => p.startsWith('WORKER_WORKFLOW_STACK_TRACES'))).toMatch(/on.*off/);
    expect(loadWorkerConfig({}).WORKER_WORKFLOW_STACK_TRACES).toBe('off');
    expect((error as ConfigError).problems.find((p) => p.startsWith('WORKER_METRICS_ADDRESS'))).toMatch(/host:port, e\.g\. 127\.0\.0\.1:9464/);
    expect(loadWorkerConfig({ WORKER_METRICS_ADDRESS: '0.0.0.0:9464', WORKER_MAX_CACHED_WORKFLOWS: '500' })).toMatchObject({ WORKER_METRICS_ADDRESS: '0.0.0.0:9464', WORKER_MAX_CACHED_WORKFLOWS: 500 });
  });

  it('limits commands per incident to 20 a second unless told otherwise, and names a limit it cannot read', () => {
    expect(loadApiConfig({}).INCIDENT_COMMAND_RATE_LIMIT).toEqual({ count: 20, unit: 's' });
    expect(loadApiConfig({ INCIDENT_COMMAND_RATE_LIMIT: '600/m' }).INCIDENT_COMMAND_RATE_LIMIT).toEqual({ count: 600, unit: 'm' });
    let error: unknown;
    try {
      loadApiConfig({ INCIDENT_COMMAND_RATE_LIMIT: 'lots' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^INCIDENT_COMMAND_RATE_LIMIT: expected /)]);
  });

  it('reads the security settings and names each one it cannot read', () => {
    const config = loadApiConfig({});
    expect(config.AUTH_FAILURE_LIMIT).toEqual({ count: 10, unit: 'm' });
    expect(config.TASK_COMMANDS_ALLOWED).toEqual(['/jira', '/zoom']);
    expect(config.MATTERMOST_DEFAULT_TEAM).toBeUndefined();
    expect(loadApiConfig({ TASK_COMMANDS_ALLOWED: 'none' }).TASK_COMMANDS_ALLOWED).toEqual([]);
    expect(loadApiConfig({ TASK_COMMANDS_ALLOWED: ' /Jira , /deploy ', MATTERMOST_DEFAULT_TEAM: 'platform' })).toMatchObject({
      TASK_COMMANDS_ALLOWED: ['/jira', '/deploy'],
      MATTERMOST_DEFAULT_TEAM: 'platform',
    });
    let error: unknown;
    try {
      loadApiConfig({ AUTH_FAILURE_LIMIT: 'few', TASK_COMMANDS_ALLOWED: '/jira,kick', MATTERMOST_DEFAULT_TEAM: 'Platform Team' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AUTH_FAILURE_LIMIT: expected /),
        'TASK_COMMANDS_ALLOWED: "kick" is not a slash command trigger like "/jira"',
        expect.stringMatching(/^MATTERMOST_DEFAULT_TEAM: expected a team name/),
      ]),
    );
  });

  it('takes the web app\'s settings: a long session secret, and the OAuth app\'s ID and secret together with Mattermost\'s address', () => {
    const id = 'abcdefghijklmnopqrstuvwxyz';
    expect(refused(loadApiConfig, { WEB_SESSION_SECRET: 'short' })).toEqual(['WEB_SESSION_SECRET']);
    expect(refused(loadApiConfig, { MATTERMOST_OAUTH_CLIENT_ID: id, MATTERMOST_URL: 'http://mm.example', MATTERMOST_BOT_TOKEN: 'b' })).toEqual(['MATTERMOST_OAUTH_CLIENT_SECRET']);
    expect(refused(loadApiConfig, { MATTERMOST_OAUTH_CLIENT_ID: id, MATTERMOST_OAUTH_CLIENT_SECRET: 's' })).toEqual(['MATTERMOST_URL']);
    expect(refused(loadApiConfig, { MATTERMOST_OAUTH_CLIENT_ID: 'Not An ID', MATTERMOST_OAUTH_CLIENT_SECRET: 's' })).toContain('MATTERMOST_OAUTH_CLIENT_ID');
    // Mattermost without sign-in is fine: the web app then offers token sign-in only.
    expect(refused(loadApiConfig, { MATTERMOST_URL: 'http://mm.example', MATTERMOST_BOT_TOKEN: 'b' })).toEqual([]);
    const config = loadApiConfig({ WEB_SESSION_SECRET: 'x'.repeat(32), MATTERMOST_OAUTH_CLIENT_ID: id, MATTERMOST_OAUTH_CLIENT_SECRET: 's', MATTERMOST_URL: 'http://mm.example', MATTERMOST_BOT_TOKEN: 'b' });
    expect(config).toMatchObject({ MATTERMOST_OAUTH_CLIENT_ID: id, MATTERMOST_OAUTH_CLIENT_SECRET: 's' });
  });
});

describe('one schema per process', () => {
  /** Malformed values of settings only the API reads. */
  const badApiOnly = {
    API_TOKENS: 'ci-bot:write:not-a-hash',
    API_RATE_LIMIT: 'lots',
    API_PORT: 'eighty',
    API_BODY_LIMIT: 'big',
    TASK_COMMANDS_ALLOWED: '/jira,kick',
    MATTERMOST_EVENTS: 'yes',
    MATTERMOST_DEFAULT_TEAM: 'Platform Team',
  };
  /** Malformed values of settings only the worker reads. */
  const badWorkerOnly = {
    OUTBOUND_ALLOWED_HOSTS: '10.0.0.0/40',
    PAGERDUTY_SEVERITY_MAP: 'sev1=urgent',
    ON_CALL_PROVIDER: 'victorops',
    WORKER_MAX_CACHED_WORKFLOWS: '-1',
    WORKER_METRICS_ADDRESS: '9464',
  };
  /**
   * Systems only the worker talks to, half configured: checked across settings, which zod does once every setting
   * could be read.
   */
  const halfConfiguredWorkerOnly = { PAGERDUTY_API_TOKEN: 't', JIRA_URL: 'https://jira.example.com' };

  it('lets a worker start whatever the API-only settings say, and reads none of them', () => {
    expect(refused(loadWorkerConfig, badApiOnly)).toEqual([]);
    const config = loadWorkerConfig({ ...badApiOnly, API_TOKENS: `ci-bot:write:sha256:${'a'.repeat(64)}` });
    expect(Object.keys(config).filter((name) => name.startsWith('API_'))).toEqual([]);
    expect(Object.keys(workerConfigSchema.shape)).not.toContain('MATTERMOST_COMMAND_TOKENS');
  });

  it('lets the API start whatever the worker-only settings say, and reads none of them', () => {
    expect(refused(loadApiConfig, badWorkerOnly)).toEqual([]);
    expect(refused(loadApiConfig, halfConfiguredWorkerOnly)).toEqual([]);
    const config = loadApiConfig(badWorkerOnly);
    expect(Object.keys(config).filter((name) => /^(JIRA|ZOOM|OPSGENIE|PAGERDUTY|WORKER)_/.test(name))).toEqual([]);
    expect(Object.keys(apiConfigSchema.shape)).not.toContain('OUTBOUND_ALLOWED_HOSTS');
  });

  it('still catches both in npm start, which is the API and the worker in one process', () => {
    expect(refused(loadStartConfig, { ...badApiOnly, ...badWorkerOnly })).toEqual([...Object.keys(badApiOnly), ...Object.keys(badWorkerOnly)].sort());
    expect(refused(loadStartConfig, halfConfiguredWorkerOnly)).toEqual(['JIRA_TOKEN', 'PAGERDUTY_ROUTING_KEY']);
    expect(refused(loadWorkerConfig, halfConfiguredWorkerOnly)).toEqual(['JIRA_TOKEN', 'PAGERDUTY_ROUTING_KEY']);
    const union = new Set([...Object.keys(apiConfigSchema.shape), ...Object.keys(workerConfigSchema.shape), 'TEMPORAL_DEV_SERVER_PORT', 'TEMPORAL_UI_PORT', 'TEMPORAL_DB_FILE']);
    expect(new Set(Object.keys(startConfigSchema.shape))).toEqual(union);
  });

  it('checks the shared settings in every process, and a shared check once in npm start', () => {
    for (const load of [loadApiConfig, loadWorkerConfig, loadStartConfig]) {
      expect(refused(load, { LOG_LEVEL: 'chatty', MATTERMOST_URL: 'chat' })).toEqual(['LOG_LEVEL', 'MATTERMOST_URL']);
      expect(refused(load, { MATTERMOST_URL: 'https://chat.example.com' })).toEqual(['MATTERMOST_BOT_TOKEN']);
    }
    expect(refused(loadBaseConfig, { LOG_LEVEL: 'chatty' })).toEqual(['LOG_LEVEL']);
  });

  it('gives tools that only reach Temporal or the store the smallest schema', () => {
    expect(refused(loadBaseConfig, { ...badApiOnly, ...badWorkerOnly, MATTERMOST_URL: 'chat' })).toEqual([]);
    expect(Object.keys(baseConfigSchema.shape).sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE']);
    expect(loadBaseConfig({}).TEMPORAL_TASK_QUEUE).toBe(loadWorkerConfig({}).TEMPORAL_TASK_QUEUE);
  });
});
