/**
 * Which PagerDuty severity a page gets. The Events API v2 takes one of four severities and nothing else that ranks a
 * page: PagerDuty derives the incident's urgency from it on services whose urgency is "based on alert severity"
 * (critical and error page with high urgency, warning and info with low), and Event Orchestration rules can set a
 * priority from it. So the incident's severity is what maps: through PAGERDUTY_SEVERITY_MAP, then through the
 * playbook's Opsgenie-style priority, which every playbook has (P3 by default), so a page always has a severity.
 *
 * Pure (no I/O): workers/worker-config.ts parses the setting with it at start, the adapter applies it per page.
 */
export const PAGERDUTY_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type PagerDutySeverity = (typeof PAGERDUTY_SEVERITIES)[number];

/** The default playbook's severities, one PagerDuty severity each. */
export const DEFAULT_PAGERDUTY_SEVERITY_MAP = 'sev1=critical,sev2=error,sev3=warning,sev4=info';

/** Incident severity or priority (lower case) → PagerDuty severity. */
export type PagerDutySeverityMap = Readonly<Record<string, PagerDutySeverity>>;

/** The fallback for a severity the map does not name: the playbook's priority, P1 (highest) to P5. */
const PRIORITY_SEVERITY: PagerDutySeverityMap = { p1: 'critical', p2: 'error', p3: 'warning', p4: 'info', p5: 'info' };

const isSeverity = (value: string): value is PagerDutySeverity => (PAGERDUTY_SEVERITIES as readonly string[]).includes(value);

/** Reads "sev1=critical,sev2=error"; every problem is named, so a typo stops the start instead of paging wrongly. */
export function parseSeverityMap(text: string): { map: PagerDutySeverityMap; problems: string[] } {
  const map: Record<string, PagerDutySeverity> = {};
  const problems: string[] = [];
  for (const entry of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const [rawKey = '', rawValue, ...rest] = entry.split('=');
    const key = rawKey.trim().toLowerCase();
    const value = (rawValue ?? '').trim().toLowerCase();
    if (!key || rawValue === undefined || rest.length > 0) {
      problems.push(`"${entry.slice(0, 70)}" is not like "sev1=critical"`);
    } else if (!isSeverity(value)) {
      problems.push(`"${key}" maps to "${value.slice(0, 40)}", not one of ${PAGERDUTY_SEVERITIES.join(', ')}`);
    } else if (Object.hasOwn(map, key)) {
      problems.push(`"${key}" is mapped twice`);
    } else {
      map[key] = value;
    }
  }
  return { map, problems };
}

/** The incident severity a page names: the caller's, else the "[sev1]" tag the launch starts the message with. */
export function incidentSeverityOf(request: { severity?: string; message: string }): string | undefined {
  return request.severity ?? /^\[([^\]\s]{1,64})\]/.exec(request.message)?.[1];
}

/** The page's PagerDuty severity: the incident severity through the map, else the priority (the map's, else P1→critical…). */
export function pagerDutySeverity(
  map: PagerDutySeverityMap,
  request: { severity?: string; message: string; priority: string },
): PagerDutySeverity {
  const severity = incidentSeverityOf(request)?.toLowerCase();
  const priority = request.priority.toLowerCase();
  return lookUp(map, severity) ?? lookUp(map, priority) ?? lookUp(PRIORITY_SEVERITY, priority) ?? 'warning';
}

/** Own keys only: a severity named "constructor" must not find Object's. */
function lookUp(map: PagerDutySeverityMap, key: string | undefined): PagerDutySeverity | undefined {
  return key !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
}
