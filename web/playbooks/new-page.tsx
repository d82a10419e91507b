/** /app/playbooks/new: a new playbook from YAML typed or pasted here, or imported from a .yaml file. */
import { useState } from 'preact/hooks';
import { navigate } from '../router.js';
import { OutcomeMessage } from './edit-page.js';
import { createPlaybookYaml } from './playbook-api.js';
import { playbookPath, playbooksPath } from './paths.js';
import { useEditor } from './use-editor.js';
import { YamlEditor } from './yaml-editor.js';

const STARTER = `id: my-playbook
title: My playbook
description: What this playbook is for.
severities:
  - sev1
  - sev2
  - sev3
checklists:
  - title: Triage
    tasks:
      - title: Confirm the impact
      - title: Name a commander
`;

const NOT_CREATED = { saved: 'Created.', conflict: 'Not created: a playbook with this ID exists already.', failed: 'Not created.' };

/** Files bigger than the API takes (256 kB) are refused here, before anything is sent. */
const MAX_FILE_BYTES = 256 * 1024;

export function PlaybookNewPage() {
  const editor = useEditor(STARTER);
  const [imported, setImported] = useState<string | undefined>();
  const importFile = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      setImported(`${file.name} is ${Math.round(file.size / 1024)} kB; a playbook file is at most 256 kB.`);
      return;
    }
    const text = await file.text();
    editor.setText(text);
    setImported(`Imported ${file.name} (${text.split('\n').length} lines): check it below, then create the playbook.`);
  };
  const create = () =>
    editor.attempt(async () => {
      const created = await createPlaybookYaml(editor.text);
      navigate(playbookPath(created.id));
    });
  return (
    <>
      <p class="breadcrumb">
        <a href={playbooksPath}>Playbooks</a>
      </p>
      <h1>New playbook</h1>
      <div class="field import">
        <label for="playbook-file">Import a YAML file (optional)</label>
        <input id="playbook-file" type="file" accept=".yaml,.yml,.json,application/yaml,text/yaml,application/json" onChange={(event) => void importFile(event.currentTarget)} />
        <p role="status" class="hint">
          {imported ?? ''}
        </p>
      </div>
      <OutcomeMessage outcome={editor.outcome} titles={NOT_CREATED} />
      <YamlEditor label="Playbook (YAML)" text={editor.text} onText={editor.setText} problems={editor.problems} submitLabel="Create playbook" busy={editor.busy} onSubmit={create}>
        <a href={playbooksPath}>Cancel</a>
      </YamlEditor>
    </>
  );
}
