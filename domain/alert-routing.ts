/**
 * Which playbook (and team, and severity) an alert starts, chosen by label-matching rules from the configuration
 * (`ALERT_RULES_FILE`, YAML or JSON). The first rule whose every matcher holds wins; without a match, the default
 * applies, and without a default the alert is refused with a message saying so. Pure code.
 */
import { z } from 'zod';
import { ID_PATTERN } from './playbook/vocabulary.js';
import { messageOf } from './errors.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const labelName = z.string().regex(LABEL_NAME, 'expected a Prometheus label name like "service"');
/** A mapping keyed by label names; a bad name is reported by itself (zod's record keys only say "Invalid key"). */
const byLabel = <T extends z.ZodType>(value: T) =>
  z.record(z.string(), value).superRefine((record, ctx) => {
    for (const name of Object.keys(record)) {
      if (!LABEL_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not a Prometheus label name (letters, digits and "_")` });
    }
  });
const slug = z.string().regex(ID_PATTERN, 'expected an ID like "service-outage"');

const regex = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(`^(?:${source})$`);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a regular expression: ${messageOf(error)}` });
  }
});

export const alertRuleSchema = z.strictObject({
  /** Shown in the incident's timeline as the reason it was started with this playbook. */
  name: z.string().trim().min(1).max(100).optional(),
  /** Exact label values, e.g. { service: checkout, severity: critical }. */
  match: byLabel(z.string().max(500)).default({}),
  /** Label values matched in full by a regular expression (Alertmanager's =~), e.g. { service: "checkout|payments" }. */
  matchRegex: byLabel(regex).default({}),
  playbook: slug,
  team: slug.optional(),
  /** A fixed severity for incidents of this rule; otherwise the severity label, mapped by severityMap. */
  severity: z.string().trim().toLowerCase().optional(),
});

export const alertRulesSchema = z.strictObject({
  rules: z.array(alertRuleSchema).max(500).default([]),
  /** Where alerts no rule matches go; absent: they are refused (422). */
  default: z.strictObject({ playbook: slug, team: slug.optional() }).optional(),
  /** The label carrying the alert's severity, and how its values map to playbook severities. */
  severityLabel: labelName.default('severity'),
  severityMap: z.record(z.string(), z.string()).default({ critical: 'sev1', error: 'sev2', warning: 'sev3', info: 'sev4' }),
  /** The team of incidents whose rule names none; absent: the service's default team (MATTERMOST_DEFAULT_TEAM). */
  defaultTeam: slug.optional(),
});
export type AlertRules = z.output<typeof alertRulesSchema>;

/** The rules when the configuration has none: every alert starts the blank playbook. */
export const DEFAULT_ALERT_RULES: AlertRules = alertRulesSchema.parse({ default: { playbook: 'blank' } });

export interface AlertRoute {
  playbook: string;
  team: string;
  /** The severity the labels ask for (mapped), if any; the caller keeps it only if the playbook has it. */
  severity?: string;
  /** Which rule matched ("default" for the default). */
  rule: string;
}

export function routeAlert(rules: AlertRules, labels: Record<string, string>, serviceTeam = 'default'): AlertRoute | undefined {
  const defaultTeam = rules.defaultTeam ?? serviceTeam;
  const label = labels[rules.severityLabel];
  const mapped = label === undefined ? undefined : (rules.severityMap[label.toLowerCase()] ?? label.toLowerCase());
  for (const [index, rule] of rules.rules.entries()) {
    const exact = Object.entries(rule.match).every(([name, value]) => labels[name] === value);
    const pattern = Object.entries(rule.matchRegex).every(([name, source]) => new RegExp(`^(?:${source})$`).test(labels[name] ?? ''));
    if (!exact || !pattern) continue;
    const severity = rule.severity ?? mapped;
    return { playbook: rule.playbook, team: rule.team ?? defaultTeam, ...(severity ? { severity } : {}), rule: rule.name ?? `rule ${index + 1}` };
  }
  if (!rules.default) return undefined;
  return { playbook: rules.default.playbook, team: rules.default.team ?? defaultTeam, ...(mapped ? { severity: mapped } : {}), rule: 'default' };
}
