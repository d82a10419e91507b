/**
 * One period's stats: the headline numbers, then the charts (incidents per day, MTTA and MTTR over time, per severity,
 * per playbook), each summarised in words for screen readers and backed by a table of the same numbers.
 */
import type { DurationStats, GroupStats, IncidentStats } from '../../domain/incident-stats.js';
import { BarList } from '../charts/bar-list.js';
import { ColumnChart } from '../charts/column-chart.js';
import { LineChart } from '../charts/line-chart.js';
import { shortDate } from '../charts/scale.js';
import type { DataTable } from '../charts/chart-frame.js';
import { formatDuration } from '../durations.js';

const plural = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`;

function DurationFact({ label, stats }: { label: string; stats: DurationStats }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{formatDuration(stats.meanMs)}</dd>
      {stats.count ? (
        <dd class="fact-detail">
          median {formatDuration(stats.medianMs)} · 90th percentile {formatDuration(stats.p90Ms)} · over {plural(stats.count, 'incident')}
        </dd>
      ) : null}
    </div>
  );
}

function Headline({ stats }: { stats: IncidentStats }) {
  return (
    <dl class="facts headline">
      <div>
        <dt>Reported</dt>
        <dd>{stats.reported}</dd>
      </div>
      <div>
        <dt>Resolved</dt>
        <dd>{stats.resolved}</dd>
      </div>
      <div>
        <dt>Open at the end</dt>
        <dd>{stats.active}</dd>
      </div>
      <DurationFact label="MTTA (mean time to acknowledge)" stats={stats.timeToAcknowledge} />
      <DurationFact label="MTTR (mean time to resolve)" stats={stats.timeToResolve} />
    </dl>
  );
}

function perDaySummary(stats: IncidentStats, period: string): string {
  const busiest = stats.daily.reduce((best, day) => (day.reported > best.reported ? day : best), stats.daily[0]!);
  const peak = busiest.reported ? `; the most reported on ${shortDate(busiest.date)} (${busiest.reported})` : '';
  return `Incidents per day, ${period}: ${stats.reported} reported and ${stats.resolved} resolved in all${peak}.`;
}

function rangeOf(values: Array<number | null>): string {
  const known = values.filter((value): value is number => value !== null);
  if (!known.length) return 'no data';
  const low = Math.min(...known);
  const high = Math.max(...known);
  return low === high ? formatDuration(low) : `from ${formatDuration(low)} to ${formatDuration(high)}`;
}

function groupTable(groups: Record<string, GroupStats>, name: string): DataTable {
  return {
    columns: [name, 'Reported', 'Resolved', 'Open at the end', 'Median time to resolve'],
    rows: Object.entries(groups).map(([key, group]) => [key, group.reported, group.resolved, group.active, formatDuration(group.timeToResolve.medianMs)]),
  };
}

function GroupChart({ id, groups, name, period }: { id: string; groups: Record<string, GroupStats>; name: string; period: string }) {
  const items = Object.entries(groups).map(([label, group]) => ({ label, value: group.reported }));
  const title = `Reported per ${name.toLowerCase()}`;
  const summary = `Incidents reported per ${name.toLowerCase()}, ${period}: ${items.map((item) => `${item.label} ${item.value}`).join(', ')}.`;
  return <BarList id={id} title={title} summary={summary} items={items} table={groupTable(groups, name)} />;
}

export function StatsView({ stats, period }: { stats: IncidentStats; period: string }) {
  const dates = stats.daily.map((day) => day.date);
  const mtta = stats.daily.map((day) => day.meanTimeToAcknowledgeMs ?? null);
  const mttr = stats.daily.map((day) => day.meanTimeToResolveMs ?? null);
  const timesSummary = `Mean times per day the incidents were reported, ${period}: time to acknowledge ${rangeOf(mtta)}; time to resolve ${rangeOf(mttr)}.`;
  return (
    <>
      <Headline stats={stats} />
      <div class="charts">
        <ColumnChart
          id="chart-daily"
          title="Incidents per day"
          summary={perDaySummary(stats, period)}
          dates={dates}
          series={[
            { label: 'Reported', values: stats.daily.map((day) => day.reported), className: 'series-a' },
            { label: 'Resolved', values: stats.daily.map((day) => day.resolved), className: 'series-b', hatched: true },
          ]}
        />
        <LineChart
          id="chart-times"
          title="MTTA and MTTR per day"
          summary={timesSummary}
          dates={dates}
          series={[
            { label: 'MTTA (mean time to acknowledge)', values: mtta, className: 'series-a', marker: 'circle' },
            { label: 'MTTR (mean time to resolve)', values: mttr, className: 'series-c', marker: 'square' },
          ]}
        />
        {Object.keys(stats.bySeverity).length ? <GroupChart id="chart-severity" groups={stats.bySeverity} name="Severity" period={period} /> : null}
        {Object.keys(stats.byPlaybook).length ? <GroupChart id="chart-playbook" groups={stats.byPlaybook} name="Playbook" period={period} /> : null}
      </div>
    </>
  );
}
