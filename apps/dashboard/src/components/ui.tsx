import type { ComponentChildren } from 'preact';
import { ApiError } from '../api';
import { termOf, useI18n } from '../i18n';
import type { Stage } from '../types';

export function Loading({ label }: { label?: string }) {
  const { t } = useI18n();
  return (
    <p class="loading" role="status">
      {label ?? t('common.loading')}
    </p>
  );
}

export function ErrorBox({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const { t } = useI18n();
  const detail = error instanceof ApiError ? (error.problem.detail ?? error.problem.title) : error.message;
  return (
    <div class="alert alert-error" role="alert">
      <p>{t('common.error', { detail })}</p>
      {onRetry && (
        <button type="button" class="button secondary" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function Section(props: {
  id: string;
  title: string;
  actions?: ComponentChildren;
  children: ComponentChildren;
  class?: string;
  level?: 2 | 3;
}) {
  const Heading = props.level === 3 ? 'h3' : 'h2';
  return (
    <section class={`card ${props.class ?? ''}`} aria-labelledby={`${props.id}-title`}>
      <div class="card-head">
        <Heading id={`${props.id}-title`}>{props.title}</Heading>
        {props.actions && <div class="card-actions">{props.actions}</div>}
      </div>
      {props.children}
    </section>
  );
}

export function StageBadge({ stage }: { stage: Stage | string }) {
  const { t } = useI18n();
  return <span class={`badge stage-${stage}`}>{termOf(t, 'stage', stage)}</span>;
}

export function Chips({ prefix, values }: { prefix: 'sector' | 'axis'; values: string[] }) {
  const { t } = useI18n();
  return (
    <ul class="chips">
      {values.map((value) => (
        <li key={value} class={`chip chip-${prefix}`}>
          {termOf(t, prefix, value)}
        </li>
      ))}
    </ul>
  );
}

/** Ids that tie a control to its hint and its error messages. */
export function describedBy(
  id: string,
  errors?: string[],
  hint?: boolean,
): Record<string, string | boolean | undefined> {
  const ids = [hint ? `${id}-hint` : '', errors?.length ? `${id}-error` : ''].filter(Boolean).join(' ');
  return { id, 'aria-invalid': errors?.length ? true : undefined, 'aria-describedby': ids || undefined };
}

/** A labelled control with its hint and the API's messages for it, beside the field. */
export function Field(props: {
  id: string;
  label: string;
  errors?: string[];
  hint?: string;
  children: ComponentChildren;
  class?: string;
}) {
  return (
    <div class={`field ${props.errors?.length ? 'field-invalid' : ''} ${props.class ?? ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.children}
      {props.errors?.length ? (
        <p class="field-error" id={`${props.id}-error`}>
          {props.errors.join(' ')}
        </p>
      ) : null}
    </div>
  );
}

/** A group of checkboxes (fieldset + legend) with its errors. */
export function FieldGroup(props: {
  id: string;
  legend: string;
  errors?: string[];
  children: ComponentChildren;
}) {
  return (
    <fieldset
      class={`field ${props.errors?.length ? 'field-invalid' : ''}`}
      id={props.id}
      aria-describedby={props.errors?.length ? `${props.id}-error` : undefined}
    >
      <legend>{props.legend}</legend>
      {props.children}
      {props.errors?.length ? (
        <p class="field-error" id={`${props.id}-error`}>
          {props.errors.join(' ')}
        </p>
      ) : null}
    </fieldset>
  );
}
