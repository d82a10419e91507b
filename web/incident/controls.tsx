/**
 * The two shapes every incident action takes: a button that sends a command as it is, and a small form that sends one
 * field (a severity, a username, a title, a message). Each keeps its own pending state and its own refusal beside it.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Choice } from '../components/field.js';
import { ActionError, useAction, type FocusTarget } from './actions.js';

export interface CommandButtonProps {
  route: string;
  label: string;
  /** What the refusal says could not be done ("acknowledge the incident"). */
  what: string;
  body?: Record<string, unknown>;
  secondary?: boolean;
  /** Where focus goes if this button disappears once the command is applied. */
  focusAfter?: FocusTarget;
  /** The accessible name when the visible label needs context ("Complete task 1.2"). */
  ariaLabel?: string;
}

export function CommandButton(props: CommandButtonProps) {
  const action = useAction(props.focusAfter);
  return (
    <span class="command">
      <button
        type="button"
        class={props.secondary ? 'secondary' : undefined}
        disabled={action.pending}
        aria-busy={action.pending}
        {...(props.ariaLabel ? { 'aria-label': props.ariaLabel } : {})}
        onClick={() => void action.run(props.route, props.body)}
      >
        {action.pending ? `${props.label}…` : props.label}
      </button>
      <ActionError error={action.error} what={props.what} />
    </span>
  );
}

export interface CommandFormProps {
  id: string;
  label: string;
  submit: string;
  /** The submit button's accessible name when its text needs context ("Assign task 1.2"). */
  submitAriaLabel?: string;
  route: string;
  /** The payload field the value goes in; an empty value is sent as `emptyAs` when given, else refused here. */
  field: string;
  what: string;
  initial?: string;
  choices?: Choice[];
  multiline?: boolean;
  hint?: string;
  emptyAs?: null;
  /** Other payload fields sent with the value. */
  body?: Record<string, unknown>;
  /** Empties the control after the command was applied (a new task's title, an update's message). */
  clearOnSuccess?: boolean;
  placeholder?: string;
  /** Where focus goes if this form disappears once the command is applied. */
  focusAfter?: FocusTarget;
}

export function CommandForm(props: CommandFormProps) {
  const action = useAction(props.focusAfter);
  const [value, setValue] = useState(props.initial ?? '');
  const [missing, setMissing] = useState(false);
  // The value shown follows the incident (a live change of severity or commander), replacing what was typed.
  useEffect(() => setValue(props.initial ?? ''), [props.initial]);
  const hintId = `${props.id}-hint`;
  const describedBy = [props.hint ? hintId : '', missing ? `${props.id}-missing` : ''].filter(Boolean).join(' ');
  const submit = async (event: Event) => {
    event.preventDefault();
    const text = value.trim();
    if (!text && props.emptyAs === undefined) {
      setMissing(true);
      document.getElementById(props.id)?.focus();
      return;
    }
    setMissing(false);
    const applied = await action.run(props.route, { ...props.body, [props.field]: text || props.emptyAs });
    if (applied && props.clearOnSuccess) setValue('');
  };
  const common = {
    id: props.id,
    name: props.field,
    value,
    ...(describedBy ? { 'aria-describedby': describedBy } : {}),
    ...(missing ? { 'aria-invalid': true } : {}),
    onInput: (event: Event) => setValue((event.currentTarget as HTMLInputElement).value),
  };
  let control;
  if (props.choices) {
    control = (
      <select {...common} onChange={common.onInput}>
        {props.choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    );
  } else if (props.multiline) {
    control = <textarea {...common} rows={3} placeholder={props.placeholder} />;
  } else {
    control = <input {...common} type="text" autoComplete="off" spellcheck={false} placeholder={props.placeholder} />;
  }
  return (
    <form class="command-form" onSubmit={(event) => void submit(event)}>
      <label for={props.id}>{props.label}</label>
      <div class="command-row">
        {control}
        <button type="submit" disabled={action.pending} aria-busy={action.pending} {...(props.submitAriaLabel ? { 'aria-label': props.submitAriaLabel } : {})}>
          {action.pending ? `${props.submit}…` : props.submit}
        </button>
      </div>
      {props.hint ? (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      {missing ? (
        <p class="error-text" id={`${props.id}-missing`}>
          {props.label}: this cannot be empty.
        </p>
      ) : null}
      <ActionError error={action.error} what={props.what} />
    </form>
  );
}
