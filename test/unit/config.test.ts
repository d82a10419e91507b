import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/env.js';

describe('configuration', () => {
  it('has defaults that run the embedded stack on loopback', () => {
    const config = loadConfig({});
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
    let error: unknown;
    try {
      loadConfig({ API_PORT: 'eighty', LOG_LEVEL: 'chatty', API_BODY_LIMIT: 'big' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.split(':')[0])).toEqual(['API_PORT', 'API_BODY_LIMIT', 'LOG_LEVEL']);
  });

  it('names each of the operations settings it cannot read (events, sandboxes, metrics, cache, tracing)', () => {
    let error: unknown;
    try {
      loadConfig({
        MATTERMOST_EVENTS: 'yes',
        SANDBOXES: 'maybe',
        WORKER_METRICS_ADDRESS: '9464',
        WORKER_MAX_CACHED_WORKFLOWS: '-1',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['MATTERMOST_EVENTS', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'SANDBOXES', 'WORKER_MAX_CACHED_WORKFLOWS', 'WORKER_METRICS_ADDRESS'],
    );
    expect((error as ConfigError).problems.find((p) => p.startsWith('WORKER_METRICS_ADDRESS'))).toMatch(/host:port, e\.g\. 127\.0\.0\.1:9464/);
    expect(loadConfig({ WORKER_METRICS_ADDRESS: '0.0.0.0:9464', WORKER_MAX_CACHED_WORKFLOWS: '500' })).toMatchObject({ WORKER_METRICS_ADDRESS: '0.0.0.0:9464', WORKER_MAX_CACHED_WORKFLOWS: 500 });
  });

  it('limits commands per incident to 20 a second unless told otherwise, and names a limit it cannot read', () => {
    expect(loadConfig({}).INCIDENT_COMMAND_RATE_LIMIT).toEqual({ count: 20, unit: 's' });
    expect(loadConfig({ INCIDENT_COMMAND_RATE_LIMIT: '600/m' }).INCIDENT_COMMAND_RATE_LIMIT).toEqual({ count: 600, unit: 'm' });
    let error: unknown;
    try {
      loadConfig({ INCIDENT_COMMAND_RATE_LIMIT: 'lots' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^INCIDENT_COMMAND_RATE_LIMIT: expected /)]);
  });

  it('reads the security settings and names each one it cannot read', () => {
    const config = loadConfig({});
    expect(config.AUTH_FAILURE_LIMIT).toEqual({ count: 10, unit: 'm' });
    expect(config.TASK_COMMANDS_ALLOWED).toEqual(['/jira', '/zoom']);
    expect(config.MATTERMOST_DEFAULT_TEAM).toBeUndefined();
    expect(loadConfig({ TASK_COMMANDS_ALLOWED: 'none' }).TASK_COMMANDS_ALLOWED).toEqual([]);
    expect(loadConfig({ TASK_COMMANDS_ALLOWED: ' /Jira , /deploy ', MATTERMOST_DEFAULT_TEAM: 'platform' })).toMatchObject({
      TASK_COMMANDS_ALLOWED: ['/jira', '/deploy'],
      MATTERMOST_DEFAULT_TEAM: 'platform',
    });
    let error: unknown;
    try {
      loadConfig({ AUTH_FAILURE_LIMIT: 'few', TASK_COMMANDS_ALLOWED: '/jira,kick', MATTERMOST_DEFAULT_TEAM: 'Platform Team' });
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
});
