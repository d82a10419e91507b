/**
 * The incident list's filter form. Edits stay in the form until it is submitted (Enter in any field, or Apply), so a
 * keyboard user is not sent a new list on every keystroke; "Clear filters" resets all of them at once.
 */
import { useEffect, useState } from 'preact/hooks';
import { NO_FILTERS, SORT_LABELS, STATUS_LABELS, type IncidentFilters } from '../incident-filters.js';
import { SelectField, TextField, type Choice } from './field.js';

const choicesOf = (labels: Record<string, string>): Choice[] => Object.entries(labels).map(([value, label]) => ({ value, label }));
const STATUS_CHOICES = choicesOf(STATUS_LABELS);
const SORT_CHOICES = choicesOf(SORT_LABELS);

export interface FiltersProps {
  filters: IncidentFilters;
  /** Playbooks to choose from; absent when they could not be listed (the field is then free text). */
  playbooks?: Choice[];
  onApply: (filters: IncidentFilters) => void;
}

/** How many filters narrow the list, for the panel's summary. */
const countSet = (filters: IncidentFilters) =>
  [filters.status, filters.severity, filters.playbook, filters.commander, filters.team, filters.scope === 'all' ? filters.member : '', filters.q].filter((value) => value.trim()).length;

/** On a phone the form starts folded, so the list is on the first screen; on a wider screen, or with filters set, open. */
const startsOpen = (filters: IncidentFilters) => countSet(filters) > 0 || window.matchMedia('(min-width: 701px)').matches;

export function Filters({ filters, playbooks, onApply }: FiltersProps) {
  const [draft, setDraft] = useState(filters);
  const [open] = useState(() => startsOpen(filters));
  // Back, Forward and links change the filters from outside the form.
  useEffect(() => setDraft(filters), [filters]);
  const set = <K extends keyof IncidentFilters>(key: K) => (value: IncidentFilters[K]) => setDraft((current) => ({ ...current, [key]: value }));
  const count = countSet(filters);
  return (
    <details class="filters-panel" open={open}>
      <summary>Filters{count ? ` (${count} set)` : ''}</summary>
      <FiltersForm draft={draft} set={set} filters={filters} {...(playbooks ? { playbooks } : {})} onApply={onApply} />
    </details>
  );
}

function FiltersForm({ draft, set, filters, playbooks, onApply }: FiltersProps & { draft: IncidentFilters; set: <K extends keyof IncidentFilters>(key: K) => (value: IncidentFilters[K]) => void }) {
  return (
    <form
      class="filters"
      role="search"
      aria-label="Filter incidents"
      onSubmit={(event) => {
        event.preventDefault();
        onApply(draft);
      }}
    >
      <TextField id="filter-q" label="Search" type="search" value={draft.q} hint="Words in the name or summary" onInput={set('q')} />
      <SelectField id="filter-status" label="Status" value={draft.status} choices={STATUS_CHOICES} anyLabel="Any status" onChange={(value) => set('status')(value as IncidentFilters['status'])} />
      <TextField id="filter-severity" label="Severity" value={draft.severity} hint="For example sev1; several: sev1,sev2" onInput={set('severity')} />
      {playbooks ? (
        <SelectField id="filter-playbook" label="Playbook" value={draft.playbook} choices={playbooks} anyLabel="Any playbook" onChange={set('playbook')} />
      ) : (
        <TextField id="filter-playbook" label="Playbook" value={draft.playbook} hint="The playbook's ID" onInput={set('playbook')} />
      )}
      <TextField id="filter-commander" label="Commander" value={draft.commander} hint="A username" onInput={set('commander')} />
      <TextField id="filter-team" label="Team" value={draft.team} hint="The team's name, as in its URL" onInput={set('team')} />
      {/* "My incidents" already names the member: the field is for "All incidents". */}
      {filters.scope === 'all' ? <TextField id="filter-member" label="Member" value={draft.member} hint="A username: incidents they took part in" onInput={set('member')} /> : null}
      <SelectField id="filter-sort" label="Order" value={draft.sort} choices={SORT_CHOICES} onChange={(value) => set('sort')(value as IncidentFilters['sort'])} />
      <div class="actions">
        <button type="submit">Apply filters</button>
        <button type="button" class="secondary" onClick={() => onApply({ ...NO_FILTERS, scope: filters.scope })}>
          Clear filters
        </button>
      </div>
    </form>
  );
}
