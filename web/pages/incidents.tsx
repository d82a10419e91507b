/**
 * /app/: the incidents list. It shows the signed-in person's incidents (those they are a member of) unless they switch
 * to all; filters, order and page live in the address, so Back, reload and a shared link show the same list.
 */
import { useMemo } from 'preact/hooks';
import { queryString, request } from '../api.js';
import { Filters } from '../components/filters.js';
import type { Choice } from '../components/field.js';
import { IncidentTable } from '../components/incident-table.js';
import { Empty, Failure, Loading } from '../components/states.js';
import { addressFor, apiQueryFor, filtersFrom, isFiltered, NO_FILTERS, type IncidentFilters } from '../incident-filters.js';
import type { IncidentPage } from '../incident-summary.js';
import { navigate, place } from '../router.js';
import { me } from '../session.js';
import { useRequest } from '../use-request.js';

/** History state of a page reached with "Next page": "Previous page" can then simply go back. */
const NEXT_PAGE_STATE = { incidentListPage: true };

/**
 * Paging and the empty state's buttons vanish while the new list loads: focus goes to the results' heading instead of
 * falling back to the top of the page.
 */
function focusResults(): void {
  document.getElementById('results-title')?.focus();
}

function ScopeSwitch({ filters, onApply }: { filters: IncidentFilters; onApply: (filters: IncidentFilters) => void }) {
  const option = (scope: IncidentFilters['scope'], label: string) => (
    <label class="choice">
      <input type="radio" name="scope" value={scope} checked={filters.scope === scope} onChange={() => onApply({ ...filters, scope })} />
      {label}
    </label>
  );
  return (
    <fieldset class="scope-switch">
      <legend>Show</legend>
      {option('mine', 'My incidents')}
      {option('all', 'All incidents')}
    </fieldset>
  );
}

function Pager({ cursor, nextCursor, filters }: { cursor?: string; nextCursor?: string; filters: IncidentFilters }) {
  if (!cursor && !nextCursor) return null;
  const previous = () => {
    const state = window.history.state as typeof NEXT_PAGE_STATE | null;
    if (state?.incidentListPage) window.history.back();
    else navigate(addressFor(filters));
    focusResults();
  };
  const next = () => {
    navigate(addressFor(filters, nextCursor), { state: NEXT_PAGE_STATE });
    focusResults();
  };
  return (
    <nav class="pager" aria-label="Pages">
      {cursor ? (
        <button type="button" class="secondary" onClick={previous}>
          Previous page
        </button>
      ) : null}
      {nextCursor ? (
        <button type="button" class="secondary" onClick={next}>
          Next page
        </button>
      ) : null}
    </nav>
  );
}

export function IncidentsPage() {
  const who = me.value;
  // In open mode everyone is `anonymous`, a member of nothing: "mine" would always be empty.
  const personal = who !== null && who !== undefined && who.via !== 'open';
  const address = place.value.search.toString();
  const search = useMemo(() => new URLSearchParams(address), [address]);
  const filters = useMemo(() => {
    const read = filtersFrom(search);
    return personal ? read : { ...read, scope: 'all' as const };
  }, [search, personal]);
  const cursor = search.get('cursor') ?? undefined;
  const list = useRequest(
    (signal) => request<IncidentPage>('GET', `/api/v1/incidents${queryString(apiQueryFor(filters, who?.name, cursor))}`, { signal }),
    [address, who?.name, personal],
  );
  // The playbook filter offers the playbooks by title; without the playbook store it takes an ID as text.
  const playbooks = useRequest(
    (signal) =>
      request<{ items: Array<{ id: string; title: string }> }>('GET', '/api/v1/playbooks?limit=200', { signal }).then((page): Choice[] =>
        page.items.map((playbook) => ({ value: playbook.id, label: playbook.title })),
      ),
    [],
  );
  const apply = (next: IncidentFilters) => navigate(addressFor(next));
  const applyFromResults = (next: IncidentFilters) => {
    apply(next);
    focusResults();
  };
  const title = filters.scope === 'mine' ? 'My incidents' : 'All incidents';
  return (
    <>
      <div class="page-title">
        <h1>{title}</h1>
        <a class="button" href="/app/incidents/new">
          Start an incident
        </a>
      </div>
      {personal ? <ScopeSwitch filters={filters} onApply={apply} /> : <p class="note">Open mode: every incident is shown.</p>}
      <Filters filters={filters} {...(playbooks.status === 'done' ? { playbooks: playbooks.data } : {})} onApply={apply} />
      <section aria-labelledby="results-title" aria-busy={list.status === 'loading'}>
        <h2 id="results-title" class="visually-hidden" tabIndex={-1}>
          Results
        </h2>
        {list.status === 'loading' ? <Loading what="incidents" /> : null}
        {list.status === 'failed' ? <Failure error={list.error} onRetry={list.retry} /> : null}
        {list.status === 'done' && list.data.items.length === 0 ? (
          <Empty title="No incidents match">
            {isFiltered(filters) ? (
              <button type="button" onClick={() => applyFromResults({ ...NO_FILTERS, scope: filters.scope })}>
                Clear filters
              </button>
            ) : filters.scope === 'mine' ? (
              <button type="button" onClick={() => applyFromResults({ ...filters, scope: 'all' })}>
                Show all incidents
              </button>
            ) : null}
          </Empty>
        ) : null}
        {list.status === 'done' && list.data.items.length > 0 ? (
          <>
            <IncidentTable items={list.data.items} caption={title} />
            <Pager filters={filters} {...(cursor ? { cursor } : {})} {...(list.data.nextCursor ? { nextCursor: list.data.nextCursor } : {})} />
          </>
        ) : null}
      </section>
    </>
  );
}
