/** Alerts from monitoring: Alertmanager's payload, the routing rules, and what a delivery does to the incident. */
import { describe, expect, it } from 'vitest';
import { parseAlertRules } from '../../api/alert-rules-file.js';
import { routeAlert } from '../../domain/alert-routing.js';
import { alertmanagerPayloadSchema, fromAlertmanager, fromGenericAlert, genericAlertSchema } from '../../formats/alertmanager.js';
import { executeCommand } from '../../domain/commands.js';
import { createIncidentState } from '../../domain/incident.js';
import { parseNewIncident } from '../../domain/new-incident.js';
import { alertmanagerGroup } from '../helpers/alert-fixtures.js';

const rules = parseAlertRules(`
rules:
  - name: security
    match: { category: security }
    playbook: security-incident
    team: security
    severity: sev1
  - name: shop
    matchRegex: { service: "checkout|payments" }
    playbook: service-outage
    team: shop
default: { playbook: blank }
`);

describe('alert rules', () => {
  it('picks the first matching rule, maps the severity label, and falls back to the default', () => {
    expect(routeAlert(rules, { service: 'checkout', severity: 'critical' })).toEqual({ playbook: 'service-outage', team: 'shop', severity: 'sev1', rule: 'shop' });
    expect(routeAlert(rules, { service: 'checkout-v2' })).toEqual({ playbook: 'blank', team: 'default', rule: 'default' });
    expect(routeAlert(rules, { category: 'security', service: 'checkout', severity: 'warning' })).toMatchObject({ playbook: 'security-incident', severity: 'sev1', rule: 'security' });
    const strict = parseAlertRules('rules: [{ match: { team: db }, playbook: blank }]');
    expect(routeAlert(strict, { team: 'web' })).toBeUndefined();
  });

  it('reports every problem in a rules file by path', () => {
    expect(() => parseAlertRules('rules: [{ match: { "bad-label": x }, matchRegex: { service: "(" }, playbook: "Not A Slug" }]', 'rules.yaml')).toThrow(
      /rules\.yaml is invalid:\n {2}rules\.0\.match\.bad-label: "bad-label" is not a Prometheus label name[\s\S]*rules\.0\.matchRegex\.service: not a regular expression[\s\S]*rules\.0\.playbook: expected an ID/,
    );
    expect(() => parseAlertRules('rules: [', 'rules.yaml')).toThrow(/rules\.yaml is not valid YAML or JSON/);
  });
});

describe("Alertmanager's payload", () => {
  it('becomes one delivery: alerts by fingerprint, the zero end time dropped, a name and summary for a new incident', () => {
    const request = fromAlertmanager(alertmanagerPayloadSchema.parse(alertmanagerGroup()));
    expect(request.name).toBe('Checkout 5xx above 5%');
    expect(request.summary).toBe('2 alerts from Alertmanager (receiver incidents).\nAlertmanager: http://alertmanager:9093');
    expect(request.labels).toEqual({ alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' });
    expect(request.delivery.alerts[0]).toEqual({
      fingerprint: 'c0ffee01',
      status: 'firing',
      name: 'CheckoutErrors',
      summary: 'Checkout 5xx above 5%',
      startsAt: '2026-11-27T08:00:00.000Z',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=rate',
    });
  });

  it('refuses other versions and malformed groups with the path of each problem', () => {
    const wrong = alertmanagerPayloadSchema.safeParse({ ...alertmanagerGroup(), version: '3', alerts: [] });
    expect(wrong.success).toBe(false);
    expect(wrong.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'version: expected Alertmanager\'s webhook version "4", got "3"',
      'alerts: Too small: expected array to have >=1 items',
    ]);
  });

  it('takes a generic alert with its deduplication key as the group', () => {
    const request = fromGenericAlert(genericAlertSchema.parse({ dedupKey: 'db-disk-full', title: 'Disk full on db-1', labels: { service: 'db' }, source: 'nagios' }));
    expect(request.delivery).toEqual({ source: 'generic', groupKey: 'db-disk-full', status: 'firing', alerts: [{ fingerprint: 'db-disk-full', status: 'firing', name: 'Disk full on db-1' }] });
    expect(request.summary).toBe('Reported by nagios.');
  });
});

describe('recordAlerts', () => {
  const playbook = { id: 'auto', title: 'Auto', alerts: { autoResolve: true }, checklists: [] };
  const newState = (book: object = playbook) =>
    createIncidentState(parseNewIncident({ id: 'al-1', name: 'Checkout 5xx', team: 'shop', reporter: 'alertmanager', playbook: book }), '2026-11-27T08:00:00.000Z');
  const delivery = (status: 'firing' | 'resolved') => ({ ...fromAlertmanager(alertmanagerPayloadSchema.parse(alertmanagerGroup(status))).delivery, actor: 'alertmanager' });

  it('writes each alert to the timeline once, however often the group repeats', () => {
    const state = newState();
    for (let i = 0; i < 100; i++) executeCommand(state, 'recordAlerts', delivery('firing'), '2026-11-27T08:05:00.000Z');
    expect(state.alertGroup).toMatchObject({ deliveries: 100, status: 'firing', source: 'alertmanager' });
    expect(state.timeline.filter((e) => e.kind === 'alert_received').map((e) => e.text)).toEqual([
      'Alert firing: CheckoutErrors — Checkout 5xx above 5%',
      'Alert firing: CheckoutErrors — Checkout 5xx above 5%',
    ]);
  });

  it('auto-resolves on the resolved notification when the playbook says so, and only then', () => {
    const state = newState();
    executeCommand(state, 'recordAlerts', delivery('firing'), '2026-11-27T08:05:00.000Z');
    executeCommand(state, 'recordAlerts', delivery('resolved'), '2026-11-27T08:20:00.000Z');
    expect(state.status).toBe('resolved');
    expect(state.acknowledgedAt).toBeUndefined();
    expect(state.timeline.find((e) => e.kind === 'status_changed')).toMatchObject({ kind: 'status_changed', actor: 'alertmanager', text: '@alertmanager changed the status from reported to resolved (its alerts resolved)' });
    const manual = newState({ ...playbook, alerts: { autoResolve: false } });
    executeCommand(manual, 'recordAlerts', delivery('firing'), '2026-11-27T08:05:00.000Z');
    executeCommand(manual, 'recordAlerts', delivery('resolved'), '2026-11-27T08:20:00.000Z');
    expect(manual.status).toBe('reported');
    expect(manual.timeline.at(-1)!.text).toMatch(/^Alert group resolved/);
  });

  it('tells repeats from news in a group bigger than the alerts it keeps', () => {
    const state = newState();
    const big = (status: 'firing' | 'resolved') => ({
      source: 'alertmanager' as const,
      groupKey: 'big',
      status,
      alerts: Array.from({ length: 120 }, (_, i) => ({ fingerprint: `f${i}`, status, name: 'DiskFull', startsAt: '2026-11-27T08:00:00.000Z' })),
      actor: 'alertmanager',
    });
    for (let i = 0; i < 3; i++) executeCommand(state, 'recordAlerts', big('firing'), '2026-11-27T08:05:00.000Z');
    expect(state.timeline.filter((e) => e.kind === 'alert_received')).toHaveLength(120);
    expect(state.alertGroup!.alerts).toHaveLength(50);
  });

  it('says so when an alert fires again on a resolved incident', () => {
    const state = newState({ ...playbook, alerts: { autoResolve: false } });
    executeCommand(state, 'recordAlerts', delivery('firing'), '2026-11-27T08:05:00.000Z');
    executeCommand(state, 'acknowledge', { actor: 'bob' }, '2026-11-27T08:06:00.000Z');
    executeCommand(state, 'resolve', { actor: 'bob' }, '2026-11-27T08:07:00.000Z');
    const again = delivery('firing');
    again.alerts = again.alerts.map((a) => ({ ...a, startsAt: '2026-11-27T09:00:00.000Z' }));
    executeCommand(state, 'recordAlerts', again, '2026-11-27T09:01:00.000Z');
    expect(state.timeline.at(-1)!.text).toBe('Alert firing again: CheckoutErrors — Checkout 5xx above 5% (the incident is resolved: reopen it if the impact is back)');
  });

  it('takes a batch of deliveries as it takes them one by one (recordAlertBatch), auto-resolve included', () => {
    const { actor: _actor, ...firing } = delivery('firing');
    const { actor: _again, ...resolved } = delivery('resolved');
    const sequence = [firing, firing, firing, resolved, firing];
    const one = newState();
    for (const item of sequence) executeCommand(one, 'recordAlerts', { ...item, actor: 'grafana' }, '2026-11-27T08:05:00.000Z');
    const batched = newState();
    executeCommand(batched, 'recordAlertBatch', { deliveries: sequence, actor: 'grafana' }, '2026-11-27T08:05:00.000Z');
    expect(batched).toEqual(one);
    expect(batched.alertGroup).toMatchObject({ deliveries: 5 });
    expect(batched.status).toBe('resolved');
  });

  it('refuses a batch of mixed groups, an empty or oversized one, and one for another group, changing nothing', () => {
    const { actor: _actor, ...firing } = delivery('firing');
    const state = newState();
    executeCommand(state, 'recordAlerts', delivery('firing'), '2026-11-27T08:05:00.000Z');
    const before = structuredClone(state);
    const at = '2026-11-27T08:06:00.000Z';
    expect(() => executeCommand(state, 'recordAlertBatch', { deliveries: [firing, { ...firing, groupKey: 'other' }] }, at)).toThrow(/one alert group/);
    expect(() => executeCommand(state, 'recordAlertBatch', { deliveries: [] }, at)).toThrow(/deliveries/);
    expect(() => executeCommand(state, 'recordAlertBatch', { deliveries: Array(26).fill(firing) }, at)).toThrow(/deliveries/);
    const full = { ...firing, alerts: Array.from({ length: 200 }, (_, i) => ({ fingerprint: `f${i}`, status: 'firing' as const, name: 'DiskFull' })) };
    expect(() => executeCommand(state, 'recordAlertBatch', { deliveries: Array(6).fill(full) }, at)).toThrow(/at most 1000 alerts/);
    expect(() => executeCommand(state, 'recordAlertBatch', { deliveries: [{ ...firing, groupKey: 'other' }] }, at)).toThrow(/follows another alert group/);
    expect(state).toEqual(before);
  });

  it('refuses a delivery of another group', () => {
    const state = newState();
    executeCommand(state, 'recordAlerts', delivery('firing'), '2026-11-27T08:05:00.000Z');
    expect(() => executeCommand(state, 'recordAlerts', { ...delivery('firing'), groupKey: 'other' }, '2026-11-27T08:06:00.000Z')).toThrow(/follows another alert group/);
  });
});
