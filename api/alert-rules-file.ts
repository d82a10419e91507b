/**
 * The alert rules file (`ALERT_RULES_FILE`, YAML or JSON): which playbook, team and severity an alert starts, by its
 * labels. Read once at start; a broken file stops the process with every problem listed by path.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { alertRulesSchema, DEFAULT_ALERT_RULES, type AlertRules } from '../domain/alert-routing.js';

export class AlertRulesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlertRulesError';
  }
}

export function loadAlertRules(path: string | undefined): AlertRules {
  if (!path) return DEFAULT_ALERT_RULES;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AlertRulesError(`cannot read the alert rules file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parseAlertRules(text, path);
}

export function parseAlertRules(text: string, source = 'alert rules'): AlertRules {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new AlertRulesError(`${source} is not valid YAML or JSON: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const parsed = alertRulesSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`);
    throw new AlertRulesError(`${source} is invalid:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}
