/**
 * The severity of a new incident, chosen among the playbook's own levels (GET /api/v1/playbooks/:id). Left at the
 * playbook's default, nothing is sent and the API applies it. When the levels cannot be read (no playbook store), the
 * field takes the level as text.
 */
import { useEffect } from 'preact/hooks';
import { request } from '../api.js';
import { defaultSeverityOf } from '../start-incident.js';
import { useRequest } from '../use-request.js';
import { controlProps, FormField } from './form-field.js';

const ID = 'start-severity';

interface SeverityLevels {
  severities: string[];
  defaultSeverity?: string;
}

export function SeverityField({ playbook, known, value, error, onChange }: { playbook: string; known: boolean; value: string; error?: string; onChange: (value: string) => void }) {
  const levels = useRequest(
    (signal) =>
      known && playbook
        ? request<{ playbook: SeverityLevels }>('GET', `/api/v1/playbooks/${encodeURIComponent(playbook)}`, { signal }).then((answer) => answer.playbook)
        : Promise.resolve(undefined),
    [playbook, known],
  );
  const definition = levels.status === 'done' ? levels.data : undefined;
  const severities = definition?.severities;
  // Another playbook's levels differ: a level the new one does not have goes back to its default.
  useEffect(() => {
    if (severities && value && !severities.includes(value)) onChange('');
  }, [severities]);

  if (levels.status === 'loading') {
    const described = { id: ID, hint: 'Loading the playbook’s severities…' };
    return (
      <FormField label="Severity" {...described}>
        <select {...controlProps(described)} disabled>
          <option value="">The playbook’s default</option>
        </select>
      </FormField>
    );
  }
  if (!definition || !severities) {
    const described = { id: ID, hint: 'A level of the playbook, like sev2; empty: its default', ...(error ? { error } : {}) };
    return (
      <FormField label="Severity" {...described}>
        <input type="text" {...controlProps(described)} value={value} autoComplete="off" spellcheck={false} onInput={(event) => onChange(event.currentTarget.value)} />
      </FormField>
    );
  }
  const described = { id: ID, hint: 'Most severe first', ...(error ? { error } : {}) };
  return (
    <FormField label="Severity" {...described}>
      <select {...controlProps(described)} value={value} onChange={(event) => onChange(event.currentTarget.value)}>
        <option value="">The playbook’s default ({defaultSeverityOf(definition)})</option>
        {severities.map((level) => (
          <option key={level} value={level}>
            {level}
          </option>
        ))}
      </select>
    </FormField>
  );
}
