/**
 * Checks across the fields of a playbook: the default severity among the severities, the channel name's length, actions
 * that need a disabled integration, IDs unique across checklists and tasks. They run even when other fields are broken,
 * so they read the value defensively.
 */
import type { z } from 'zod';
import { DEFAULT_SEVERITIES } from './defaults.js';
import { formatPlaybookPath } from './messages.js';
import { channelNameTemplateMaxLength } from './templates.js';
import { ID_PATTERN, PLAYBOOK_LIMITS } from './vocabulary.js';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function records(value: unknown): Array<Record<string, unknown> | undefined> {
  return Array.isArray(value) ? value.map((item) => (isRecord(item) ? item : undefined)) : [];
}

export function checkPlaybook(playbook: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const severities =
    Array.isArray(playbook.severities) && playbook.severities.every((s) => typeof s === 'string')
      ? (playbook.severities as string[])
      : undefined;
  if (typeof playbook.defaultSeverity === 'string' && severities && !severities.includes(playbook.defaultSeverity)) {
    ctx.addIssue({
      code: 'custom',
      path: ['defaultSeverity'],
      message: `"${playbook.defaultSeverity}" is not one of the severities (${severities.join(', ')})`,
    });
  }

  const channel = isRecord(playbook.channel) ? playbook.channel : undefined;
  if (channel && typeof channel.nameTemplate === 'string') {
    const longestSeverity = Math.max(...(severities ?? DEFAULT_SEVERITIES).map((s) => s.length));
    const max = channelNameTemplateMaxLength(channel.nameTemplate.trim(), longestSeverity);
    if (max > PLAYBOOK_LIMITS.channelName) {
      ctx.addIssue({
        code: 'custom',
        path: ['channel', 'nameTemplate'],
        message: `can make a name of ${max} characters (counting {{id}} as 48, {{seq}} as 6, {{date}} as 10, {{severity}} as ${longestSeverity}); a channel name has at most ${PLAYBOOK_LIMITS.channelName}`,
      });
    }
  }

  const integrationOff = (section: string): boolean => isRecord(playbook[section]) && playbook[section].enabled === false;
  const seen = new Map<string, string>();
  records(playbook.checklists).forEach((checklist, c) => {
    if (!checklist) return;
    const ids: Array<[unknown, (string | number)[]]> = [[checklist.id, ['checklists', c, 'id']]];
    records(checklist.tasks).forEach((task, t) => {
      if (!task) return;
      ids.push([task.id, ['checklists', c, 'tasks', t, 'id']]);
      const action = isRecord(task.action) ? task.action.type : undefined;
      const needs: Record<string, [string, string]> = {
        'open-ticket': ['jira', 'opens a Jira issue'],
        'start-meeting': ['zoom', 'starts a Zoom meeting'],
        'post-status-update': ['statusUpdates', 'asks for a status update'],
      };
      const need = typeof action === 'string' ? needs[action] : undefined;
      if (need && integrationOff(need[0])) {
        ctx.addIssue({
          code: 'custom',
          path: ['checklists', c, 'tasks', t, 'action', 'type'],
          message: `"${action}" ${need[1]}, but ${need[0]}.enabled is false`,
        });
      }
    });
    for (const [id, path] of ids) {
      if (typeof id !== 'string' || !ID_PATTERN.test(id)) continue;
      const first = seen.get(id);
      if (first) ctx.addIssue({ code: 'custom', path, message: `id "${id}" is already used at ${first}` });
      else seen.set(id, formatPlaybookPath(path));
    }
  });
}
