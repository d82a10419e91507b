/**
 * A field of a form that is sent to the API: its label, an optional hint, and the API's problem with it, read with the
 * control (aria-describedby) and marking it invalid, so a screen reader hears what to fix when focus lands there.
 */
import type { ComponentChildren } from 'preact';

export interface FormFieldProps {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  required?: boolean;
  children: ComponentChildren;
}

/** The attributes the control inside a FormField carries, matching the field's hint and error. */
export function controlProps({ id, hint, error, required }: Omit<FormFieldProps, 'label' | 'children'>) {
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  return {
    id,
    name: id,
    ...(required ? { required: true, 'aria-required': 'true' as const } : {}),
    ...(error ? { 'aria-invalid': 'true' as const } : {}),
    ...(describedBy ? { 'aria-describedby': describedBy } : {}),
  };
}

export function FormField({ id, label, hint, error, required, children }: FormFieldProps) {
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={id}>
        {label}
        {required ? (
          <span class="required" aria-hidden="true">
            {' '}
            (required)
          </span>
        ) : null}
      </label>
      {error ? (
        <p class="error-text" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      {children}
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}
