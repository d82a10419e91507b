/**
 * docs/benchmarks.md, built from the stored sections (bench/results/<name>.json): every goal of issue 16 at the top with
 * today's figure and whether it was met, the machine each section ran on, then each section with its tables and plots.
 */
import { fmt, table, verdict } from './lib/figures.js';
import type { Section } from './lib/types.js';
import { plotFile } from './plots.js';

const RUN = `\`\`\`sh
npm run bench                      # every benchmark, the default sizes (a few minutes); rewrites this page
npm run bench -- --full            # the long run: 1,000 open for commands, 10,000 for capacity, 50 launches at once
npm run bench -- --smoke           # a tiny run of each (CI), written to a temporary directory, not here
npm run bench -- launch            # one benchmark (or --only commands,capacity); the page keeps the others' last results
npm run bench -- --report          # only rebuild this page and its plots from bench/results/
LATENCY=mattermost=20,jira=300,zoom=250,opsgenie=150 npm run bench -- launch
\`\`\``;

const FLOORS = `## How floors are computed

A floor is how fast something could be if our own work (Temporal, the worker, the network between them) took no
time and each call to Mattermost, Jira, Zoom and Opsgenie took exactly as long as the sandbox took to answer it in that
run. It is read from the run itself, not from the latency profile:

1. **The call log.** Each sandbox records every call it serves: when it arrived and how long its answer took
   (\`receivedAtMs\`, \`durationMs\` in sandbox/sandbox-server.ts), the injected latency included. The benchmark's
   worker (bench/worker-process.ts) adds a header to every HTTP request an activity makes, naming the workflow and
   the activity (bench/lib/call-tags.ts), so each call is tied to the activity that made it.
2. **The dependencies.** From the incident's history: an activity scheduled by a workflow task depends on the
   activities whose completion that workflow task saw. An activity's own cost is its longest run of calls made one
   after another (calls it makes in parallel count once).
3. **The critical path.** The floor of a milestone is the costliest chain of dependent activities ending in it: for
   "channel ready", the activity that posted the checklist (\`postChecklist\`, or \`openIncidentChannel\` when the
   checklist went up with the channel); for "fully launched", the costliest chain among the activities
   completed by the time the last launch step was recorded. Where the workflow waits for several activities at once
   before the next one (a \`Promise.all\`), only the one that completed last is seen as what it waited for, so a floor
   can come out a little low; where one workflow task saw several complete at once, what it scheduled is taken to
   wait for all of them, which can make it a little high.

The floor adapts to the code: nothing in it lists the launch's steps or their order, so a launch reordered to be more
parallel has a lower floor in the next run. The "path" column shows which activities made it, and how many calls of
each were on it.

The tables give the floor as served (the sum of the served times on the path) and, in brackets, as nominal (the same
calls at the profile's latency: calls per system × the profile's latency per call). The served floor is the one the
goals are held against: it includes the sandboxes' own time to answer, which grows when the machine is busy.`;

/** "launch, one at a time: ..." is "one at a time: ..." in a table whose first column already says Launch. */
function withoutBenchName(figure: string, section: Section): string {
  const names = [section.name, section.name.replace(/-/g, ' '), section.title.toLowerCase()];
  const match = /^([^,:]+)[,:] (.*)$/.exec(figure);
  return match && names.includes(match[1]!.toLowerCase()) ? match[2]! : figure;
}

export function benchmarksPage(sections: Section[]): string {
  const goals = sections.flatMap((section) =>
    section.goals.map((g) => [section.title, withoutBenchName(g.figure, section), `${fmt(g.value)} ${g.unit}`, verdict(g), g.note ?? '']),
  );
  const machines = sections.map((s) => [
    s.title,
    s.machine.date,
    s.mode,
    `${s.machine.cpus} × ${s.machine.cpuModel}, ${s.machine.memoryGb} GB`,
    s.machine.node,
    s.machine.load.join(' / '),
    `${fmt(s.durationSeconds)} s`,
  ]);
  const busiest = sections.reduce<Section | undefined>((top, s) => (!top || Math.max(...s.machine.load) > Math.max(...top.machine.load) ? s : top), undefined);
  const busy =
    busiest && Math.max(...busiest.machine.load) > busiest.machine.cpus
      ? `\n**This run shared a busy machine**: load averages up to ${fmt(Math.max(...busiest.machine.load))} on ${busiest.machine.cpus} CPUs (more
than ${busiest.machine.cpus} means work was waiting for a CPU). Latencies and rates are worse than on a quiet machine; CPU
seconds per unit of work and memory much less so.\n`
      : '';
  const body = sections.map((section) => {
    const pictures = section.plots.map((plot) => `![${plot.title}](benchmarks/${plotFile(plot)})`).join('\n\n');
    return `${section.markdown.trim()}${pictures ? `\n\n${pictures}` : ''}`;
  });
  return `# Benchmarks

Written by \`npm run bench\` (bench/run.ts); the numbers are in [bench/results/](../bench/results/), one JSON file per
benchmark. Each benchmark runs against a Temporal dev server of its own, the four sandboxes with a latency profile of
the real services, and the incident worker in a process of its own, so the worker's CPU and memory are its own. The
machine is shared with other work, so expect noise: the load average each benchmark ended with is in the table below.

${RUN}

## Goals at a glance

The goals of issue 16 beside today's figures. A goal the run missed says **missed**; none is left out.

${table(['benchmark', 'figure', 'today', 'verdict', 'note'], goals)}

## Machine
${busy}
${table(['benchmark', 'date', 'run', 'CPUs, memory', 'Node', 'load 1 / 5 / 15 min (at the end)', 'took'], machines)}

## Results

${body.join('\n\n')}

${FLOORS}

## Other benchmarks

The flood of commands into one incident ([bench/results/command-flood.md](../bench/results/command-flood.md)) and the
post-mortem export ([bench/results/postmortem-export.md](../bench/results/postmortem-export.md)) have benchmarks of their
own (bench/README.md). The alert storm's full size (5,000 deliveries over 500 groups, \`--full\`) last ran as
[bench/results/alert-storm-full.md](../bench/results/alert-storm-full.md) shows.
`;
}
