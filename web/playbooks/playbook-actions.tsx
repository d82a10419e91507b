/**
 * What can be done to a playbook from its page: edit, see its versions, export it as YAML, duplicate it under a new ID,
 * archive or restore it. A read-only session sees only what does not change anything.
 */
import { useState } from 'preact/hooks';
import { hintId } from '../components/field.js';
import { navigate } from '../router.js';
import { me } from '../session.js';
import { duplicatePlaybook, setArchived, yamlDownloadPath, type StoredPlaybook } from './playbook-api.js';
import { playbookPath } from './paths.js';

const ID_RULE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

function DuplicateForm({ id }: { id: string }) {
  const [newId, setNewId] = useState('');
  const [title, setTitle] = useState('');
  const [failure, setFailure] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!ID_RULE.test(newId)) {
      setFailure('The new ID is lower-case letters, digits, "-" or "_", like "db-outage-eu".');
      document.getElementById('duplicate-id')?.focus();
      return;
    }
    setBusy(true);
    setFailure(undefined);
    try {
      const copy = await duplicatePlaybook(id, { id: newId, ...(title.trim() ? { title: title.trim() } : {}) });
      navigate(playbookPath(copy.id));
    } catch (error) {
      setFailure((error as Error).message);
      document.getElementById('duplicate-id')?.focus();
    } finally {
      setBusy(false);
    }
  };
  return (
    <details class="duplicate">
      <summary>Duplicate…</summary>
      <form class="stack" onSubmit={submit} noValidate>
        <div class="field">
          <label for="duplicate-id">New playbook ID</label>
          <input
            id="duplicate-id"
            type="text"
            required
            autoComplete="off"
            spellcheck={false}
            value={newId}
            aria-invalid={failure ? 'true' : undefined}
            aria-describedby={`${hintId('duplicate-id')}${failure ? ' duplicate-error' : ''}`}
            onInput={(event) => setNewId(event.currentTarget.value.trim())}
          />
          <p class="hint" id={hintId('duplicate-id')}>
            Lower-case letters, digits, "-" or "_", like "db-outage-eu"
          </p>
        </div>
        <div class="field">
          <label for="duplicate-title">Title of the copy (optional)</label>
          <input id="duplicate-title" type="text" value={title} onInput={(event) => setTitle(event.currentTarget.value)} />
        </div>
        {failure ? (
          <p id="duplicate-error" class="error-text" role="alert">
            {failure}
          </p>
        ) : null}
        <div>
          <button type="submit" disabled={busy}>
            {busy ? 'Duplicating…' : 'Duplicate'}
          </button>
        </div>
      </form>
    </details>
  );
}

/**
 * Whether to offer editing (the API decides, this only spares a refusal): the playbook names no editors, or the person is
 * an incident admin, one of the users it names, or in one of its groups (as /api/v1/me lists them; when it does not,
 * a list with groups is offered and the API decides).
 */
function mayEdit(playbook: StoredPlaybook['playbook']): boolean {
  const who = me.value;
  if (!who || who.scope === 'read') return false;
  const edit = (playbook as { permissions?: { edit?: { users?: string[]; groups?: string[] } } }).permissions?.edit;
  const users = edit?.users ?? [];
  const groups = edit?.groups ?? [];
  if (who.admin || (users.length === 0 && groups.length === 0) || users.includes(who.name)) return true;
  return groups.length > 0 && (who.groups === undefined || groups.some((group) => who.groups!.includes(group)));
}

export function PlaybookActions({ stored, onChanged }: { stored: StoredPlaybook; onChanged: (stored: StoredPlaybook) => void }) {
  const [message, setMessage] = useState<{ text: string; failed: boolean } | undefined>();
  const [busy, setBusy] = useState(false);
  // Duplicating needs the write scope only; editing and archiving, the playbook's own permissions.
  const mayChange = me.value?.scope !== 'read';
  const editable = mayEdit(stored.playbook);
  const toggleArchived = async () => {
    setBusy(true);
    try {
      const changed = await setArchived(stored.id, !stored.archived);
      onChanged(changed);
      setMessage({ text: changed.archived ? 'Archived: no new incidents start from it until it is restored.' : 'Restored: incidents may start from it again.', failed: false });
    } catch (error) {
      setMessage({ text: (error as Error).message, failed: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="playbook-actions" aria-label="Actions">
      <div class="action-row">
        {editable ? (
          <a class="button" href={playbookPath(stored.id, 'edit')}>
            Edit
          </a>
        ) : null}
        <a class="button secondary" href={playbookPath(stored.id, 'versions')}>
          Versions ({stored.version})
        </a>
        <a class="button secondary" href={yamlDownloadPath(stored.id)} download={`${stored.id}.yaml`}>
          Export YAML
        </a>
        {editable ? (
          <button type="button" class="secondary" disabled={busy} onClick={toggleArchived}>
            {stored.archived ? 'Restore' : 'Archive'}
          </button>
        ) : null}
      </div>
      {mayChange && !editable ? <p class="note">Only the people this playbook names (and incident admins) may edit or archive it.</p> : null}
      <p role="status" class={message?.failed ? 'error-text' : 'note'}>
        {message?.text ?? ''}
      </p>
      {mayChange ? <DuplicateForm id={stored.id} /> : null}
    </section>
  );
}
