/**
 * /app/playbooks/:id/edit: the current version as YAML. Saving sends If-Match with the version that was loaded, so a
 * save over someone else's newer version is refused (409) and the page offers to load theirs; a refused playbook's
 * problems are listed above the text, each at its line.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Failure, Loading } from '../components/states.js';
import { useRequest } from '../use-request.js';
import { getPlaybookForEditing, savePlaybookYaml } from './playbook-api.js';
import { playbookPath, playbooksPath } from './paths.js';
import { OUTCOME_ID, useEditor, type Outcome } from './use-editor.js';
import { YamlEditor } from './yaml-editor.js';

const TITLES = { saved: 'Saved.', conflict: 'Not saved: someone else saved first.', failed: 'Not saved.' };

export function OutcomeMessage({ outcome, titles = TITLES, children }: { outcome: Outcome | undefined; titles?: typeof TITLES; children?: ComponentChildren }) {
  if (!outcome) return <div id={OUTCOME_ID} tabIndex={-1} />;
  return (
    <div id={OUTCOME_ID} tabIndex={-1} class={`outcome ${outcome.kind}`} role={outcome.kind === 'saved' ? 'status' : 'alert'}>
      <p>
        <strong>{titles[outcome.kind]}</strong> {outcome.text}
      </p>
      {children}
    </div>
  );
}

function Editor({ id, version, yaml, reload }: { id: string; version: number; yaml: string; reload: () => void }) {
  const editor = useEditor(yaml);
  const [edited, setEdited] = useState(version);
  const [savedVersion, setSavedVersion] = useState<number | undefined>();
  const save = () =>
    editor.attempt(async () => {
      const saved = await savePlaybookYaml(id, editor.text, edited);
      setEdited(saved.version);
      setSavedVersion(saved.changed ? saved.version : undefined);
      return saved.changed
        ? { kind: 'saved', text: `It is version ${saved.version} now.` }
        : { kind: 'saved', text: `Nothing had changed: it is still version ${saved.version}.` };
    });
  return (
    <>
      <p class="note">
        Editing version {edited}. Saving makes a new version; the old ones stay readable.
      </p>
      <OutcomeMessage outcome={editor.outcome}>
        {editor.outcome?.kind === 'saved' && savedVersion ? (
          <p>
            <a href={`${playbookPath(id, 'versions')}?from=${savedVersion - 1}&to=${savedVersion}`}>See what changed from version {savedVersion - 1}</a>
            {' · '}
            <a href={playbookPath(id)}>Back to the playbook</a>
          </p>
        ) : null}
        {editor.outcome?.kind === 'conflict' ? (
          <>
            <p>Copy your changes somewhere first if you want to keep them: loading the latest version replaces the text.</p>
            <button type="button" onClick={reload}>
              Load the latest version
            </button>
          </>
        ) : null}
      </OutcomeMessage>
      <YamlEditor label="Playbook (YAML)" text={editor.text} onText={editor.setText} problems={editor.problems} submitLabel="Save" busy={editor.busy} onSubmit={save}>
        <a href={playbookPath(id)}>Cancel</a>
      </YamlEditor>
    </>
  );
}

export function PlaybookEditPage({ id }: { id: string }) {
  const [loads, setLoads] = useState(0);
  const loaded = useRequest((signal) => getPlaybookForEditing(id, signal), [id, loads]);
  // After "Load the latest version", focus goes to the text that replaced the person's own.
  useEffect(() => {
    if (loads > 0 && loaded.status === 'done') document.getElementById('playbook-yaml')?.focus();
  }, [loaded.status, loads]);
  return (
    <>
      <p class="breadcrumb">
        <a href={playbooksPath}>Playbooks</a> › <a href={playbookPath(id)}>{id}</a>
      </p>
      <h1>Edit playbook {id}</h1>
      {loaded.status === 'loading' ? <Loading what="the playbook" /> : null}
      {loaded.status === 'failed' ? <Failure error={loaded.error} onRetry={loaded.retry} /> : null}
      {loaded.status === 'done' ? (
        // A new key after a reload starts the editor over with the latest text.
        <Editor key={`${loads}-${loaded.data.version}`} id={id} version={loaded.data.version} yaml={loaded.data.yaml} reload={() => setLoads((n) => n + 1)} />
      ) : null}
    </>
  );
}
