/**
 * /app/playbooks/:id/versions: every version (who made it, when) and the line diff of two of them, chosen in a form and
 * kept in the address (?from=1&to=2); by default the one before the current version against the current one.
 */
import { useEffect, useState } from 'preact/hooks';
import { SelectField } from '../components/field.js';
import { Empty, Failure, Loading } from '../components/states.js';
import { when } from '../incident-summary.js';
import { navigate, place } from '../router.js';
import { useRequest } from '../use-request.js';
import { DiffView } from './diff-view.js';
import { diffLines } from './line-diff.js';
import { getPlaybookYaml, listVersions, yamlDownloadPath, type PlaybookVersionInfo } from './playbook-api.js';
import { playbookPath, playbooksPath } from './paths.js';

function chosen(search: URLSearchParams, versions: PlaybookVersionInfo[]): { from: number; to: number } {
  const known = (value: string | null) => versions.find((v) => String(v.version) === value)?.version;
  const newest = versions[0]!.version;
  const to = known(search.get('to')) ?? newest;
  const from = known(search.get('from')) ?? versions.find((v) => v.version < to)?.version ?? to;
  return { from, to };
}

function Diff({ id, from, to }: { id: string; from: number; to: number }) {
  const texts = useRequest((signal) => Promise.all([getPlaybookYaml(id, from, signal), getPlaybookYaml(id, to, signal)]), [id, from, to]);
  if (texts.status === 'loading') return <Loading what={`versions ${from} and ${to}`} />;
  if (texts.status === 'failed') return <Failure error={texts.error} onRetry={texts.retry} />;
  return <DiffView lines={diffLines(texts.data[0], texts.data[1])} from={from} to={to} />;
}

function ComparisonForm({ id, versions, from, to }: { id: string; versions: PlaybookVersionInfo[]; from: number; to: number }) {
  const [draft, setDraft] = useState({ from, to });
  useEffect(() => setDraft({ from, to }), [from, to]);
  const choices = versions.map((v) => ({ value: String(v.version), label: `Version ${v.version}` }));
  return (
    <form
      class="filters compare"
      aria-label="Versions to compare"
      onSubmit={(event) => {
        event.preventDefault();
        navigate(`${playbookPath(id, 'versions')}?from=${draft.from}&to=${draft.to}`);
        document.getElementById('diff-title')?.focus();
      }}
    >
      <SelectField id="compare-from" label="From version" value={String(draft.from)} choices={choices} onChange={(value) => setDraft({ ...draft, from: Number(value) })} />
      <SelectField id="compare-to" label="To version" value={String(draft.to)} choices={choices} onChange={(value) => setDraft({ ...draft, to: Number(value) })} />
      <div class="actions">
        <button type="submit">Compare</button>
      </div>
    </form>
  );
}

function VersionTable({ id, versions }: { id: string; versions: PlaybookVersionInfo[] }) {
  return (
    <table class="incidents versions">
      <caption class="visually-hidden">Versions, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">Made</th>
          <th scope="col">By</th>
          <th scope="col">Export</th>
        </tr>
      </thead>
      <tbody>
        {versions.map((v) => (
          <tr key={v.version}>
            <th scope="row" data-label="Version">
              {v.version}
            </th>
            <td data-label="Made">
              <time dateTime={v.createdAt}>{when(v.createdAt)}</time>
            </td>
            <td data-label="By">{v.createdBy}</td>
            <td data-label="Export">
              <a href={yamlDownloadPath(id, v.version)} download={`${id}-v${v.version}.yaml`}>
                YAML<span class="visually-hidden"> of version {v.version}</span>
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function PlaybookVersionsPage({ id }: { id: string }) {
  const versions = useRequest((signal) => listVersions(id, signal), [id]);
  const search = place.value.search;
  return (
    <>
      <p class="breadcrumb">
        <a href={playbooksPath}>Playbooks</a> › <a href={playbookPath(id)}>{id}</a>
      </p>
      <h1>Versions of {id}</h1>
      {versions.status === 'loading' ? <Loading what="the versions" /> : null}
      {versions.status === 'failed' ? <Failure error={versions.error} onRetry={versions.retry} /> : null}
      {versions.status === 'done' && versions.data.length === 0 ? <Empty title="No versions" /> : null}
      {versions.status === 'done' && versions.data.length > 0 ? (
        <>
          <section aria-labelledby="diff-title">
            <h2 id="diff-title" tabIndex={-1}>
              Compare two versions
            </h2>
            <ComparisonForm id={id} versions={versions.data} {...chosen(search, versions.data)} />
            <Diff id={id} {...chosen(search, versions.data)} />
          </section>
          <section aria-labelledby="versions-title">
            <h2 id="versions-title">All versions</h2>
            <VersionTable id={id} versions={versions.data} />
          </section>
        </>
      ) : null}
    </>
  );
}
