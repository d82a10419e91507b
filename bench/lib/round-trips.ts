/**
 * Command round trips as the API makes them: IncidentService.command (a Temporal Update) from the call to its answer,
 * with a number of callers each sending the next command as soon as the last one was answered, each to an incident
 * picked at random among the open ones.
 */
import type { IncidentService } from '../../api/incident-service.js';
import { figures, type Figures } from './figures.js';
import { CpuWindow } from './process-stats.js';
import type { WorkerProcess } from './spawn-worker.js';
import { messageOf } from '../../domain/errors.js';

/**
 * A note: what a person writing in the incident does most, and a change that goes to the timeline (and so into the
 * incident's record a moment later) without calling Mattermost or anything else on the way.
 */
export const MEASURED_COMMAND = 'addNote';

export interface RoundTrips {
  concurrency: number;
  open: number;
  count: number;
  errors: number;
  /** The first few errors, to tell what went wrong. */
  errorMessages: string[];
  seconds: number;
  perSecond: number;
  ms: Figures;
  /** The worker's CPU seconds per command over the stretch (its record writes included). */
  workerCpuPerCommand: number | null;
  /** Warnings the worker's SDK logged meanwhile (a workflow task that timed out, say), and a few of them. */
  workerWarnings: number;
  workerWarningExamples: string[];
}

export async function roundTrips(
  incidents: IncidentService,
  ids: string[],
  options: { concurrency: number; samples: number; maxSeconds: number; worker?: WorkerProcess },
): Promise<RoundTrips> {
  const times: number[] = [];
  const errorMessages: string[] = [];
  let errors = 0;
  let sent = 0;
  const warningsBefore = (await options.worker?.status())?.warnings;
  const cpu = new CpuWindow({ worker: options.worker?.pid });
  const started = performance.now();
  const until = started + options.maxSeconds * 1000;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (sent < options.samples && performance.now() < until) {
        const n = sent++;
        const id = ids[Math.floor(Math.random() * ids.length)]!;
        const before = performance.now();
        try {
          await incidents.command(id, MEASURED_COMMAND, { text: `Benchmark note ${n}`, actor: 'alice' });
          times.push(performance.now() - before);
        } catch (error) {
          errors++;
          if (errorMessages.length < 3) errorMessages.push(messageOf(error));
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const worker = cpu.end().processes.worker!.cpuSeconds;
  const warningsAfter = (await options.worker?.status())?.warnings;
  return {
    concurrency: options.concurrency,
    open: ids.length,
    count: times.length,
    errors,
    errorMessages,
    seconds,
    perSecond: times.length / seconds,
    ms: figures(times),
    workerCpuPerCommand: worker === null || times.length === 0 ? null : worker / times.length,
    workerWarnings: (warningsAfter?.count ?? 0) - (warningsBefore?.count ?? 0),
    workerWarningExamples: (warningsAfter?.examples ?? []).filter((example) => !warningsBefore?.examples.includes(example)),
  };
}
