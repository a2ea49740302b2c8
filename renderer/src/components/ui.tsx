// Small building blocks every page uses: badges, notices, empty states, page headers, fields.
import { useId, type ReactNode } from 'react';
import type { ErrorInfo } from '../api/types.ts';
import { statusBadge, type BadgeLook, type Tone } from '../lib/badges.ts';

export type { Tone } from '../lib/badges.ts';

export function Badge({ tone, children, title }: { tone: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge--${tone}`} title={title}>
      {children}
    </span>
  );
}

/** A badge described by lib/badges.ts: its tone, words, tooltip and dot. */
export function BadgeOf({ look }: { look: BadgeLook }) {
  return (
    <Badge tone={look.tone} title={look.title}>
      {look.dot ? <span className="badge__dot" aria-hidden="true" /> : null}
      {look.label}
    </Badge>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <BadgeOf look={statusBadge(status)} />;
}

export function ErrorNotice({ error, title, onDismiss }: { error: ErrorInfo; title?: string; onDismiss?: () => void }) {
  return (
    <div className="notice notice--bad" role="alert">
      <div className="notice__body">
        <p className="notice__title">{title ?? (error.code === 'CANCELLED' ? 'Cancelled' : 'That did not work')}</p>
        <p className="notice__message">{error.message}</p>
        {/* The app's words for the hint (its controls, not CLI flags) when the engine gave them. */}
        {(error.appHint ?? error.hint) ? <p className="notice__hint">{error.appHint ?? error.hint}</p> : null}
      </div>
      {onDismiss ? (
        <button type="button" className="btn btn--ghost btn--small" onClick={onDismiss}>
          Dismiss
        </button>
      ) : null}
    </div>
  );
}

export function Notice({ tone, title, children }: { tone: 'info' | 'warn' | 'ok'; title?: string; children: ReactNode }) {
  return (
    <div className={`notice notice--${tone}`} role={tone === 'warn' ? 'status' : undefined}>
      <div className="notice__body">
        {title ? <p className="notice__title">{title}</p> : null}
        <div className="notice__message">{children}</div>
      </div>
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <svg className="empty__icon" viewBox="0 0 48 48" aria-hidden="true">
        <ellipse cx="24" cy="11" rx="15" ry="5" />
        <path d="M9 11v26c0 2.8 6.7 5 15 5s15-2.2 15-5V11" />
        <path d="M9 24c0 2.8 6.7 5 15 5s15-2.2 15-5" />
      </svg>
      <h2 className="empty__title">{title}</h2>
      {children ? <p className="empty__body">{children}</p> : null}
      {action ? <div className="empty__action">{action}</div> : null}
    </div>
  );
}

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1 className="page-header__title" tabIndex={-1}>
          {title}
        </h1>
        {subtitle ? <p className="page-header__subtitle">{subtitle}</p> : null}
      </div>
      {actions ? <div className="page-header__actions">{actions}</div> : null}
    </header>
  );
}

export function Spinner({ label }: { label?: string }) {
  return <span className="spinner" role="status" aria-label={label ?? 'Working'} />;
}

interface FieldProps {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  /** Renders the control with the id and describedby to put on it. */
  children: (control: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ReactNode;
  className?: string;
}

export function Field({ label, error, hint, children, className }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field--invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy })}
      {error ? (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      ) : null}
      {hint ? (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export function Checkbox({ label, checked, onChange, hint, disabled }: { label: ReactNode; checked: boolean; onChange: (checked: boolean) => void; hint?: ReactNode; disabled?: boolean }) {
  const id = useId();
  return (
    <div className="check">
      <input id={id} type="checkbox" checked={checked} disabled={disabled} onChange={(event) => onChange(event.target.checked)} aria-describedby={hint ? `${id}-hint` : undefined} />
      <div>
        <label htmlFor={id}>{label}</label>
        {hint ? (
          <p className="check__hint" id={`${id}-hint`}>
            {hint}
          </p>
        ) : null}
      </div>
    </div>
  );
}

/** Definition list of label → value pairs, for metadata panels. */
export function Facts({ items }: { items: Array<[string, ReactNode]> }) {
  return (
    <dl className="facts">
      {items.map(([label, value]) => (
        <div className="facts__row" key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Typed confirmation for destructive actions: the action stays disabled until the text matches. */
export function TypedConfirm({ expected, value, onChange, what }: { expected: string; value: string; onChange: (value: string) => void; what: string }) {
  const matches = value === expected;
  return (
    <Field
      label={`Type ${what} to confirm`}
      hint={
        <>
          Expected: <code className="mono">{expected}</code>
        </>
      }
      error={value && !matches ? 'This does not match yet.' : undefined}
    >
      {(control) => <input {...control} className="input mono" value={value} autoComplete="off" spellCheck={false} onChange={(event) => onChange(event.target.value)} />}
    </Field>
  );
}
