/**
 * /app/stats: how many incidents were reported and resolved in a period, how fast they were acknowledged and resolved,
 * per day, severity and playbook (GET /api/v1/stats). The period and team live in the address, so a shared link or a
 * reload shows the same numbers.
 */
import { useMemo } from 'preact/hooks';
import type { IncidentStats } from '../../domain/incident-stats.js';
import { queryString, request } from '../api.js';
import { StatsPeriodForm } from '../components/stats-period-form.js';
import { StatsView } from '../components/stats-view.js';
import { Empty, Failure, Loading } from '../components/states.js';
import { navigate, place } from '../router.js';
import { addressFor, apiQueryFor, choiceFrom, describeChoice, type StatsChoice } from '../stats-period.js';
import { useRequest } from '../use-request.js';

export function StatsPage() {
  const address = place.value.search.toString();
  const choice = useMemo(() => choiceFrom(new URLSearchParams(address)), [address]);
  const stats = useRequest(
    (signal) => request<IncidentStats>('GET', `/api/v1/stats${queryString(apiQueryFor(choice, Date.now()))}`, { signal }),
    [address],
  );
  const period = describeChoice(choice);
  const apply = (next: StatsChoice) => {
    navigate(addressFor(next));
    // The form stays; the results are replaced, so a screen reader is taken to their heading.
    document.getElementById('stats-title')?.focus();
  };
  const nothing = stats.status === 'done' && stats.data.reported + stats.data.resolved + stats.data.active === 0;
  return (
    <>
      <h1>Incident stats</h1>
      <StatsPeriodForm choice={choice} onApply={apply} />
      <section aria-labelledby="stats-title" aria-busy={stats.status === 'loading'}>
        <h2 id="stats-title" tabIndex={-1}>
          {period.charAt(0).toUpperCase() + period.slice(1)}
        </h2>
        {stats.status === 'loading' ? <Loading what="stats" /> : null}
        {stats.status === 'failed' ? <Failure error={stats.error} onRetry={stats.retry} /> : null}
        {nothing ? (
          <Empty title={`No incidents in ${period}`}>
            <p>Nothing was reported or resolved in this period, and nothing was open at its end. Choose a longer period or another team.</p>
          </Empty>
        ) : null}
        {stats.status === 'done' && !nothing ? <StatsView stats={stats.data} period={period} /> : null}
      </section>
    </>
  );
}
