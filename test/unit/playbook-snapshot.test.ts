/** A playbook's defaults, and the snapshot an incident takes of it at start (what the running workflow reads). */
import { describe, expect, it } from 'vitest';
import { snapshotPlaybook } from '../../domain/playbook/snapshot.js';
import { valid } from '../helpers/playbook-examples.js';

describe('defaults and the snapshot', () => {
  it('a minimal playbook gets sane defaults', () => {
    expect(valid({ id: 'min', title: 'Min' })).toEqual({
      id: 'min',
      title: 'Min',
      version: 1,
      severities: ['sev1', 'sev2', 'sev3', 'sev4'],
      defaultCommander: 'reporter',
      channel: { nameTemplate: 'incident-{{id}}-{{slug}}', private: false, sidebarCategory: 'Incidents' },
      invitees: { users: [], groups: [] },
      checklists: [],
      alerts: { autoResolve: false },
      statusUpdates: { enabled: true, broadcastChannels: [], webhooks: [] },
      retrospective: { enabled: true },
      jira: { enabled: true, labels: [], components: [], commentOnResolve: true },
      zoom: { enabled: true },
      opsgenie: { inviteOnCall: true, page: false, priority: 'P3' },
      keywords: [],
      permissions: { edit: { users: [], groups: [] }, run: { users: [], groups: [] } },
      archiveChannelOnClose: false,
    });
  });

  it('keeps the snapshot fields the running workflow reads, and adds the new ones', () => {
    const snapshot = snapshotPlaybook(
      valid({
        id: 'test-outage',
        title: 'Test outage',
        severities: ['sev1', 'sev2', 'sev3'],
        defaultSeverity: 'sev2',
        defaultCommander: '@Carol',
        checklists: [
          {
            id: 'triage',
            title: 'Triage',
            tasks: [
              { id: 'ack', title: 'Acknowledge', assigneeRole: 'commander', due: '1h30m' },
              { id: 'impact', title: 'Assess impact', assignee: '@Carol' },
              { id: 'page', title: 'Page', action: { type: 'page-oncall' } },
            ],
          },
          { id: 'fix', title: 'Fix', tasks: [{ id: 'rollback', title: 'Roll back', command: '/deploy rollback' }] },
        ],
        statusUpdates: { reminder: '2h', webhooks: [{ url: 'https://hooks.example.com/x', secretEnv: 'INCIDENT_WEBHOOK_SECRET_HOOK' }] },
        retrospective: { reminder: '1d' },
      }),
    );
    expect(snapshot).toMatchObject({
      id: 'test-outage',
      title: 'Test outage',
      version: 1,
      severities: ['sev1', 'sev2', 'sev3'],
      defaultSeverity: 'sev2',
      channel: { private: false, nameTemplate: 'incident-{{id}}-{{slug}}', sidebarCategory: 'Incidents' },
      jira: { enabled: true, labels: [], commentOnResolve: true },
      zoom: { enabled: true },
      opsgenie: { inviteOnCall: true, page: false, priority: 'P3' },
      defaultCommander: { type: 'user', username: 'carol' },
      statusUpdates: {
        enabled: true,
        reminderIntervalMs: 2 * 3_600_000,
        broadcastChannels: [],
        webhooks: [{ url: 'https://hooks.example.com/x', secretEnv: 'INCIDENT_WEBHOOK_SECRET_HOOK', events: ['status-update'] }],
      },
      retrospective: { enabled: true, reminderIntervalMs: 86_400_000 },
      archiveChannelOnClose: false,
    });
    expect(snapshot.checklists).toEqual([
      {
        id: 'triage',
        title: 'Triage',
        tasks: [
          { id: 'ack', title: 'Acknowledge', assigneeRole: 'commander', dueAfterMs: 90 * 60_000 },
          { id: 'impact', title: 'Assess impact', assignee: 'carol' },
          { id: 'page', title: 'Page', action: { type: 'page-oncall' } },
        ],
      },
      { id: 'fix', title: 'Fix', tasks: [{ id: 'rollback', title: 'Roll back', command: '/deploy rollback' }] },
    ]);
  });
});
