/**
 * A labelled form control: the label names the control for screen readers (and a click on it focuses the control),
 * and a hint, when given, is read with it.
 */
import type { ComponentChildren } from 'preact';

export interface FieldProps {
  id: string;
  label: string;
  hint?: string;
  /** The control itself; it must carry `id` (and `aria-describedby={hintId(id)}` when there is a hint). */
  children: ComponentChildren;
}

export const hintId = (id: string) => `${id}-hint`;

export function Field({ id, label, hint, children }: FieldProps) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint ? (
        <p class="hint" id={hintId(id)}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export interface Choice {
  value: string;
  label: string;
}

/** A select; with `anyLabel`, "any" comes first as the empty value, which leaves the filter out. */
export function SelectField(props: { id: string; label: string; value: string; choices: Choice[]; anyLabel?: string; onChange: (value: string) => void }) {
  return (
    <Field id={props.id} label={props.label}>
      <select id={props.id} name={props.id} value={props.value} onChange={(event) => props.onChange(event.currentTarget.value)}>
        {props.anyLabel !== undefined ? <option value="">{props.anyLabel}</option> : null}
        {props.choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** A text input for a filter. */
export function TextField(props: { id: string; label: string; value: string; hint?: string; type?: 'text' | 'search'; onInput: (value: string) => void }) {
  return (
    <Field id={props.id} label={props.label} {...(props.hint ? { hint: props.hint } : {})}>
      <input
        id={props.id}
        name={props.id}
        // preact's types choose an input's attributes by a literal `type`; text and search take the same ones.
        type={(props.type ?? 'text') as 'text'}
        value={props.value}
        autoComplete="off"
        spellcheck={false}
        {...(props.hint ? { 'aria-describedby': hintId(props.id) } : {})}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
    </Field>
  );
}
