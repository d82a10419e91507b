/** Opening many incidents quickly, for the benchmarks that need them open rather than launching. */
import type { IncidentService } from '../../api/incident-service.js';
import { formatPlaybookProblems } from '../../domain/playbook/messages.js';
import { validatePlaybook } from '../../domain/playbook/validation.js';
import type { Playbook } from '../../domain/playbook/schema.js';
import { pool, sleep } from './figures.js';
import type { Sandboxes } from './stack.js';

/**
 * An incident that costs little to open: a channel, its members and the pinned checklist, no Jira issue, Zoom meeting,
 * on-call lookup, page or sidebar category, no reminders. What an open incident then costs at rest is the incident's
 * own (its workflow in the worker's cache, its timers and records), not its integrations'.
 */
export function minimalPlaybook(): Playbook {
  const validation = validatePlaybook({
    id: 'bench-minimal',
    title: 'Benchmark (minimal)',
    channel: { sidebarCategory: false },
    checklists: [{ id: 'tasks', title: 'Tasks', tasks: [{ id: 'check', title: 'Check the dashboards' }] }],
    jira: { enabled: false },
    zoom: { enabled: false },
    opsgenie: { inviteOnCall: false, page: false },
    statusUpdates: { enabled: false },
    retrospective: { enabled: false },
  });
  if (!validation.ok) throw new Error(`the benchmark's minimal playbook is not valid:\n${formatPlaybookProblems(validation.problems)}`);
  return validation.playbook;
}

/** The last launch step sets the channel header: a channel whose header was set has launched. */
const HEADER_SET = /^\/api\/v4\/channels\/([^/]+)\/patch$/;

/**
 * Starts `count` incidents and returns once every one has launched, keeping at most `inFlight` launching at once (a
 * backlog of thousands of launches would only time out activities). `onLaunched` hears the running total now and then.
 */
export async function openIncidents(
  sandboxes: Sandboxes,
  incidents: IncidentService,
  playbook: Playbook,
  count: number,
  options: { inFlight?: number; prefix?: string; onLaunched?: (launched: number) => Promise<void> | void } = {},
): Promise<string[]> {
  const inFlight = options.inFlight ?? 64;
  const channels = new Set<string>();
  let started = 0;
  let failed: unknown;
  const tally = () => {
    for (const call of sandboxes.takeCalls()) {
      const match = call.system === 'mattermost' && call.method === 'PUT' ? HEADER_SET.exec(call.path) : null;
      if (match) channels.add(match[1]!);
    }
  };
  const ticker = (async () => {
    let told = 0;
    let progressAt = Date.now();
    while (channels.size < count && failed === undefined) {
      await sleep(100);
      tally();
      if (channels.size !== told) {
        told = channels.size;
        progressAt = Date.now();
        await options.onLaunched?.(told);
      } else if (Date.now() - progressAt > 60_000) {
        failed = new Error(`opening incidents stalled: ${channels.size} of ${count} launched, none in the last minute`);
      }
    }
  })();
  const ids = await pool(count, 16, async (index) => {
    while (started - channels.size >= inFlight && failed === undefined) await sleep(20);
    if (failed !== undefined) throw failed;
    started++;
    try {
      const { id } = await incidents.start({ name: `${options.prefix ?? 'Bench'} ${index}`, team: 'default', reporter: 'alice', playbook });
      return id;
    } catch (error) {
      failed ??= error;
      throw error;
    }
  });
  await ticker;
  if (failed !== undefined) throw failed;
  return ids;
}
