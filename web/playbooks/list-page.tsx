/**
 * /app/playbooks: every playbook by title, with its ID, version and whether it is archived. The search and "show
 * archived" live in the address (?q=, ?archived=1), like the incident list's filters, and apply when submitted.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { TextField } from '../components/field.js';
import { Empty, Failure, Loading } from '../components/states.js';
import { when } from '../incident-summary.js';
import { navigate, place } from '../router.js';
import { me } from '../session.js';
import { useRequest } from '../use-request.js';
import { listPlaybooks, type PlaybookSummary } from './playbook-api.js';
import { playbookPath, playbooksPath } from './paths.js';

interface ListQuery {
  q: string;
  archived: boolean;
  cursor?: string;
}

function addressOf(query: ListQuery): string {
  const params = new URLSearchParams();
  if (query.q.trim()) params.set('q', query.q.trim());
  if (query.archived) params.set('archived', '1');
  if (query.cursor) params.set('cursor', query.cursor);
  const text = params.toString();
  return `${playbooksPath}${text ? `?${text}` : ''}`;
}

function SearchForm({ query }: { query: ListQuery }) {
  const [draft, setDraft] = useState(query);
  useEffect(() => setDraft(query), [query.q, query.archived]);
  return (
    <form
      class="filters playbook-search"
      role="search"
      aria-label="Find playbooks"
      onSubmit={(event) => {
        event.preventDefault();
        navigate(addressOf({ q: draft.q, archived: draft.archived }));
      }}
    >
      <TextField id="playbook-q" label="Search" type="search" value={draft.q} hint="Words in the title or ID" onInput={(q) => setDraft({ ...draft, q })} />
      <label class="choice">
        <input type="checkbox" checked={draft.archived} onChange={(event) => setDraft({ ...draft, archived: event.currentTarget.checked })} />
        Show archived playbooks
      </label>
      <div class="actions">
        <button type="submit">Apply</button>
      </div>
    </form>
  );
}

function PlaybookTable({ items }: { items: PlaybookSummary[] }) {
  return (
    <table class="incidents playbooks">
      <caption class="visually-hidden">Playbooks</caption>
      <thead>
        <tr>
          <th scope="col">Playbook</th>
          <th scope="col">ID</th>
          <th scope="col">Version</th>
          <th scope="col">State</th>
          <th scope="col">Changed</th>
        </tr>
      </thead>
      <tbody>
        {items.map((playbook) => (
          <tr key={playbook.id}>
            <th scope="row" data-label="Playbook">
              <a href={playbookPath(playbook.id)}>{playbook.title}</a>
            </th>
            <td data-label="ID">
              <code>{playbook.id}</code>
            </td>
            <td data-label="Version">{playbook.version}</td>
            <td data-label="State">{playbook.archived ? <span class="badge archived">Archived</span> : <span class="badge active-playbook">Active</span>}</td>
            <td data-label="Changed">
              <time dateTime={playbook.updatedAt}>{when(playbook.updatedAt)}</time> by {playbook.updatedBy}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function PlaybookListPage() {
  const address = place.value.search.toString();
  const query = useMemo((): ListQuery => {
    const search = new URLSearchParams(address);
    const cursor = search.get('cursor');
    return { q: search.get('q') ?? '', archived: search.get('archived') === '1', ...(cursor ? { cursor } : {}) };
  }, [address]);
  const list = useRequest((signal) => listPlaybooks({ search: query.q || undefined, archived: query.archived, cursor: query.cursor }, signal), [address]);
  const next = list.status === 'done' ? list.data.nextCursor : undefined;
  // A read-only session may look, not create (the API would refuse it).
  const mayCreate = me.value?.scope !== 'read';
  return (
    <>
      <div class="page-title">
        <h1>Playbooks</h1>
        {mayCreate ? (
          <a class="button" href={`${playbooksPath}/new`}>
            New playbook
          </a>
        ) : null}
      </div>
      <SearchForm query={query} />
      <section aria-labelledby="playbook-results" aria-busy={list.status === 'loading'}>
        <h2 id="playbook-results" class="visually-hidden" tabIndex={-1}>
          Results
        </h2>
        {list.status === 'loading' ? <Loading what="playbooks" /> : null}
        {list.status === 'failed' ? <Failure error={list.error} onRetry={list.retry} /> : null}
        {list.status === 'done' && list.data.items.length === 0 ? (
          <Empty title={query.q || query.archived ? 'No playbooks match' : 'No playbooks yet'}>
            {mayCreate ? <a href={`${playbooksPath}/new`}>Create a playbook</a> : null}
          </Empty>
        ) : null}
        {list.status === 'done' && list.data.items.length > 0 ? <PlaybookTable items={list.data.items} /> : null}
        {query.cursor || next ? (
          <nav class="pager" aria-label="Pages">
            {query.cursor ? (
              <a class="button secondary" href={addressOf({ q: query.q, archived: query.archived })}>
                First page
              </a>
            ) : null}
            {next ? (
              <a class="button secondary" href={addressOf({ ...query, cursor: next })}>
                Next page
              </a>
            ) : null}
          </nav>
        ) : null}
      </section>
    </>
  );
}
