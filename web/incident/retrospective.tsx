/**
 * The retrospective, once resolving drafted it: a plain textarea editor for the draft (Markdown that Mattermost renders
 * when it is published), publish, or decline with a reason; afterwards, what was published or why it was declined.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { IncidentView, Retrospective as Retro } from '../../domain/incident.js';
import { when } from '../incident-summary.js';
import { ActionError, useAction, type FocusTarget } from './actions.js';
import { CommandForm } from './controls.js';

function Editor({ retro, focusAfter }: { retro: Retro; focusAfter: FocusTarget }) {
  const save = useAction();
  const publish = useAction(focusAfter);
  const [text, setText] = useState(retro.text);
  const [edited, setEdited] = useState(false);
  // Someone else's saved draft replaces this one only while nothing is typed here, so no typing is lost.
  useEffect(() => {
    if (!edited) setText(retro.text);
  }, [retro.text]);
  const saveDraft = async (event: Event) => {
    event.preventDefault();
    if (await save.run('retrospective', { text })) setEdited(false);
  };
  return (
    <>
      <h3>Draft</h3>
      <form class="retro-editor" onSubmit={(event) => void saveDraft(event)}>
        <label for="retrospective-text">Retrospective (Markdown)</label>
        <textarea
          id="retrospective-text"
          rows={14}
          value={text}
          onInput={(event) => {
            setText(event.currentTarget.value);
            setEdited(true);
          }}
        />
        <p class="hint">{edited ? 'Unsaved changes.' : retro.editedBy ? `Last saved by @${retro.editedBy}.` : 'The draft from the playbook’s template.'}</p>
        <div class="button-row">
          <button type="submit" disabled={save.pending} aria-busy={save.pending}>
            {save.pending ? 'Saving…' : 'Save draft'}
          </button>
          <button type="button" class="secondary" disabled={publish.pending} aria-busy={publish.pending} onClick={() => void publish.run('retrospective/publish', { text })}>
            {publish.pending ? 'Publishing…' : 'Publish'}
          </button>
        </div>
        <ActionError error={save.error} what="save the draft" />
        <ActionError error={publish.error} what="publish the retrospective" />
      </form>
      <CommandForm id="decline-reason" label="Or decline it: why is no retrospective needed?" submit="Decline" route="retrospective/decline" field="reason" what="decline the retrospective" focusAfter={focusAfter} />
    </>
  );
}

export function Retrospective({ view, editable }: { view: IncidentView; editable: boolean }) {
  const retro = view.retrospective;
  const heading = useRef<HTMLHeadingElement>(null);
  if (!retro) return null;
  return (
    <section class="panel" aria-labelledby="retro-title">
      <h2 id="retro-title" ref={heading} tabIndex={-1}>
        Retrospective
      </h2>
      <p class="note">
        {retro.status === 'draft' ? <>Drafted <time dateTime={retro.draftedAt}>{when(retro.draftedAt)}</time>; not published yet.</> : null}
        {retro.status === 'published' && retro.publishedAt ? (
          <>
            Published by @{retro.publishedBy}, <time dateTime={retro.publishedAt}>{when(retro.publishedAt)}</time>.
          </>
        ) : null}
        {retro.status === 'declined' ? <>Declined: {retro.declinedReason}</> : null}
      </p>
      {retro.status === 'draft' && editable ? <Editor retro={retro} focusAfter={heading} /> : retro.status !== 'declined' ? <pre class="retro-text">{retro.text}</pre> : null}
    </section>
  );
}
