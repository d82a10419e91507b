/** /app/playbooks/:id: a playbook in words (its current version) and what can be done to it. */
import { useEffect, useState } from 'preact/hooks';
import { Failure, Loading } from '../components/states.js';
import { when } from '../incident-summary.js';
import { useRequest } from '../use-request.js';
import { PlaybookActions } from './playbook-actions.js';
import { PlaybookDetails } from './playbook-details.js';
import { getPlaybook, type StoredPlaybook } from './playbook-api.js';
import { playbooksPath } from './paths.js';

export function PlaybookViewPage({ id }: { id: string }) {
  const loaded = useRequest((signal) => getPlaybook(id, signal), [id]);
  // Archive and restore answer with the playbook: shown without reading it again.
  const [changed, setChanged] = useState<StoredPlaybook | undefined>();
  useEffect(() => setChanged(undefined), [id]);
  if (loaded.status === 'loading') return <Loading what="the playbook" />;
  if (loaded.status === 'failed') {
    return (
      <>
        <h1>Playbook {id}</h1>
        <Failure error={loaded.error} onRetry={loaded.retry} />
        <p>
          <a href={playbooksPath}>Back to the playbooks</a>
        </p>
      </>
    );
  }
  const stored = changed ?? loaded.data;
  return (
    <>
      <p class="breadcrumb">
        <a href={playbooksPath}>Playbooks</a>
      </p>
      <h1>
        {stored.title} {stored.archived ? <span class="badge archived">Archived</span> : null}
      </h1>
      <p class="note">
        <code>{stored.id}</code>, version {stored.version}, changed <time dateTime={stored.updatedAt}>{when(stored.updatedAt)}</time> by {stored.updatedBy}
      </p>
      <PlaybookActions stored={stored} onChanged={setChanged} />
      <PlaybookDetails playbook={stored.playbook} />
    </>
  );
}
