/**
 * Replays every recorded history (incidents, and alert groups: test/histories/alert-group-*) against the current
 * workflow code. A change that running incidents would
 * replay differently (a reordered activity, a new timer, a changed command) fails here with a determinism error; guard it
 * with patched() and record a new history (scripts/record-incident-history.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../helpers/temporal.js';

const directory = fileURLToPath(new URL('../histories', import.meta.url));
const histories = readdirSync(directory).filter((file) => file.endsWith('.json'));

describe('replay of recorded incident histories', () => {
  it('has at least one recorded history', () => {
    expect(histories.length).toBeGreaterThan(0);
  });

  it.each(histories)('%s replays without non-determinism', async (file) => {
    const history = JSON.parse(readFileSync(join(directory, file), 'utf8'));
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, `replay-${file}`),
    ).resolves.toBeUndefined();
  });

  it('detects a history that does not match the code (the check works)', async () => {
    const history = JSON.parse(readFileSync(join(directory, histories[0]!), 'utf8'));
    // Pretend the first activity the workflow scheduled was a different one.
    const scheduled = history.events.find((e: { activityTaskScheduledEventAttributes?: unknown }) => e.activityTaskScheduledEventAttributes);
    scheduled.activityTaskScheduledEventAttributes.activityType.name = 'somethingElse';
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, 'tampered')).rejects.toThrow(
      /[Nn]ondeterminism|DeterminismViolation|somethingElse/,
    );
  });
});
