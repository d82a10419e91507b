/**
 * Which environment variables a playbook may name as a webhook's secret: only INCIDENT_WEBHOOK_SECRET_<NAME>, refused
 * otherwise with a message naming the path and the rule (and never echoing something that looks like a pasted secret).
 * Incidents started before typed snapshots, which the workflow validates itself, keep the rule they started with, so
 * they replay as they ran.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseLegacyNewIncident, parseNewIncident, prepareIncidentStart } from '../../domain/new-incident.js';
import { formatPlaybookProblems } from '../../domain/playbook/messages.js';
import { validatePlaybook } from '../../domain/playbook/validation.js';
import { WEBHOOK_SECRET_ENV_PREFIX } from '../../domain/playbook/webhook-secret-env.js';
import { renderPlaybookJsonSchema } from '../../formats/playbook-json-schema.js';
import { loadPlaybookDirectory } from '../../store/playbook-files.js';

const playbookWith = (...secretEnvs: string[]) => ({
  id: 'hooks',
  title: 'Hooks',
  statusUpdates: { webhooks: secretEnvs.map((secretEnv, i) => ({ url: `https://hooks.example.com/${i}`, secretEnv })) },
});

function problemLines(input: unknown): string[] {
  const result = validatePlaybook(input);
  if (result.ok) throw new Error('expected the playbook to be rejected');
  return formatPlaybookProblems(result.problems).split('\n');
}

describe('a webhook secret named in a playbook', () => {
  it('must be an INCIDENT_WEBHOOK_SECRET_ variable', () => {
    const result = validatePlaybook(playbookWith('INCIDENT_WEBHOOK_SECRET_OPS', 'INCIDENT_WEBHOOK_SECRET_STATUS_PAGE_2'));
    expect(result.ok).toBe(true);
    expect(result.ok && result.playbook.statusUpdates.webhooks.map((w) => w.secretEnv)).toEqual(['INCIDENT_WEBHOOK_SECRET_OPS', 'INCIDENT_WEBHOOK_SECRET_STATUS_PAGE_2']);
  });

  it("is refused when it names any other variable, the service's own settings included", () => {
    expect(problemLines(playbookWith('HOME', 'MATTERMOST_BOT_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'INCIDENT_ADMINS', 'INCIDENT_WEBHOOK_SECRET_'))).toEqual([
      'statusUpdates.webhooks[0].secretEnv: a webhook secret\'s variable must start with "INCIDENT_WEBHOOK_SECRET_", like "INCIDENT_WEBHOOK_SECRET_OPS": the worker reads no other variables; got "HOME"',
      'statusUpdates.webhooks[1].secretEnv: a webhook secret\'s variable must start with "INCIDENT_WEBHOOK_SECRET_", like "INCIDENT_WEBHOOK_SECRET_OPS": the worker reads no other variables; got "MATTERMOST_BOT_TOKEN"',
      'statusUpdates.webhooks[2].secretEnv: a webhook secret\'s variable must start with "INCIDENT_WEBHOOK_SECRET_", like "INCIDENT_WEBHOOK_SECRET_OPS": the worker reads no other variables; got "AWS_SECRET_ACCESS_KEY"',
      'statusUpdates.webhooks[3].secretEnv: a webhook secret\'s variable must start with "INCIDENT_WEBHOOK_SECRET_", like "INCIDENT_WEBHOOK_SECRET_OPS": the worker reads no other variables; got "INCIDENT_ADMINS"',
      'statusUpdates.webhooks[4].secretEnv: name the secret after the prefix, like "INCIDENT_WEBHOOK_SECRET_OPS"',
    ]);
  });

  it('is refused without being echoed when it looks like the secret itself', () => {
    const pasted = 'whsec_4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a';
    const lines = problemLines(playbookWith(pasted, 'incident_webhook_secret_ops'));
    expect(lines).toEqual([
      'statusUpdates.webhooks[0].secretEnv: expected the NAME of an environment variable like "INCIDENT_WEBHOOK_SECRET_OPS" (upper-case letters, digits, "_"), never the secret itself',
      'statusUpdates.webhooks[1].secretEnv: expected the NAME of an environment variable like "INCIDENT_WEBHOOK_SECRET_OPS" (upper-case letters, digits, "_"), never the secret itself; got "incident_webhook_secret_ops"',
    ]);
    expect(lines.join('\n')).not.toContain(pasted);
  });

  it('is held to the prefix in the JSON Schema editors use, and in the shipped playbooks', () => {
    expect(renderPlaybookJsonSchema()).toContain('"pattern": "^INCIDENT_WEBHOOK_SECRET_[A-Z0-9_]{1,100}$"');
    const shipped = loadPlaybookDirectory(fileURLToPath(new URL('../../playbooks', import.meta.url)));
    const names = shipped.list().flatMap((playbook) => playbook.statusUpdates.webhooks.flatMap((webhook) => (webhook.secretEnv ? [webhook.secretEnv] : [])));
    for (const name of names) expect(name.startsWith(WEBHOOK_SECRET_ENV_PREFIX)).toBe(true);
    // The shipped playbooks call no webhook until one is configured; their commented example names a secret correctly.
    const example = readFileSync(fileURLToPath(new URL('../../playbooks/service-outage.yaml', import.meta.url)), 'utf8');
    expect(example).toMatch(/#\s+secretEnv: INCIDENT_WEBHOOK_SECRET_STATUS_PAGE/);
  });
});

describe('incidents started before typed snapshots', () => {
  const legacyStart = (secretEnv: string) => ({
    id: 'legacy-1',
    name: 'Checkout is down',
    team: 'shop',
    reporter: 'alice',
    playbook: { id: 'hooks', title: 'Hooks', statusUpdates: { webhooks: [{ url: 'https://a.example.com/h' }, { url: 'https://b.example.com/h', secretEnv }] } },
  });

  it('keep the name the old rule took, unchanged, where a new start is refused', () => {
    const input = legacyStart('STATUS_PAGE_WEBHOOK_SECRET');
    const before = JSON.stringify(input);
    const incident = parseLegacyNewIncident(input);
    expect(incident.playbook.statusUpdates!.webhooks).toEqual([
      { url: 'https://a.example.com/h', events: ['status-update'] },
      { url: 'https://b.example.com/h', secretEnv: 'STATUS_PAGE_WEBHOOK_SECRET', events: ['status-update'] },
    ]);
    // The workflow's own argument is left as it was given.
    expect(JSON.stringify(input)).toBe(before);
    expect(() => parseNewIncident(input)).toThrow(/playbook\.statusUpdates\.webhooks\.1\.secretEnv: a webhook secret's variable must start with "INCIDENT_WEBHOOK_SECRET_"/);
    expect(() => prepareIncidentStart(input)).toThrow(/must start with "INCIDENT_WEBHOOK_SECRET_"/);
  });

  it('are refused what the old rule refused, as they were then', () => {
    expect(() => parseLegacyNewIncident(legacyStart('MATTERMOST_BOT_TOKEN'))).toThrow(/playbook\.statusUpdates\.webhooks\.1\.secretEnv/);
    expect(() => parseLegacyNewIncident(legacyStart('not a name'))).toThrow(/playbook\.statusUpdates\.webhooks\.1\.secretEnv/);
  });

  it('read a start without webhooks exactly as a new start is read', () => {
    const input = { id: 'legacy-2', name: 'Checkout is down', team: 'shop', reporter: 'alice', playbook: { id: 'p', title: 'P' } };
    expect(parseLegacyNewIncident(input)).toEqual(parseNewIncident(input));
  });
});
