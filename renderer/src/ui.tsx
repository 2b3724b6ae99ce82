// The console's components: one visual language for every pane.
import {
  createContext, useCallback, useContext, useEffect, useId, useMemo, useRef, useState,
  type ButtonHTMLAttributes, type AnchorHTMLAttributes, type ReactNode, type Ref, type KeyboardEvent as ReactKeyboardEvent,
} from 'react';
import { showControls } from '../../contract/api.ts';
import { describeError } from './describe-error.ts';
import { hueOf, initials } from './format.ts';
import {
  IconAlert, IconCheck, IconCircleCheck, IconCircleX, IconCopy, IconInfo, IconRefresh, IconX, IconArrowLeft,
} from './icons.tsx';

// --- text someone else wrote ----------------------------------------------------

/**
 * A name, a description, productData: isolated from the text around it (<bdi>),
 * with any control or bidi character written out (contract.ts showControls), so
 * a U+202E stored before the server refused them, or inside opaque productData,
 * can neither reorder nor hide what the reader sees. Strings that end up in an
 * attribute, a title or an <option> go through showControls() alone.
 */
export function UserText({ text }: { readonly text: string }) {
  return <bdi>{showControls(text)}</bdi>;
}

/** Text in a <pre> (JSON, a merchant's answer): controls written out; JSON stays valid JSON with the same value. */
export function CodeText({ text, label, ...rest }: { readonly text: string; readonly label: string; readonly 'data-testid'?: string }) {
  // The box scrolls when the text is long: focusable and named, so a keyboard can scroll it too (WCAG 2.1.1).
  return <pre className="code" tabIndex={0} role="region" aria-label={label} {...rest}>{showControls(text)}</pre>;
}

export { showControls };

// --- buttons -----------------------------------------------------------------

export type ButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger' | 'danger-outline';

function buttonClass(variant: ButtonVariant, size: 'sm' | 'md' | 'lg', extra?: string, iconOnly?: boolean): string {
  return ['btn', variant === 'secondary' ? '' : `btn-${variant}`, size === 'md' ? '' : `btn-${size}`, iconOnly ? 'btn-icon' : '', extra ?? '']
    .filter(Boolean).join(' ');
}

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  readonly variant?: ButtonVariant;
  readonly size?: 'sm' | 'md' | 'lg';
  readonly busy?: boolean;
  readonly icon?: ReactNode;
  readonly iconOnly?: boolean;
  readonly ref?: Ref<HTMLButtonElement>;
}

export function Button({ variant = 'secondary', size = 'md', busy, icon, iconOnly, className, children, disabled, type, ...rest }: ButtonProps) {
  return (
    <button type={type ?? 'button'} className={buttonClass(variant, size, className, iconOnly)} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {busy ? <span className="spinner" aria-hidden="true" /> : icon}
      {children}
    </button>
  );
}

export interface ButtonLinkProps extends AnchorHTMLAttributes<HTMLAnchorElement> {
  readonly variant?: ButtonVariant;
  readonly size?: 'sm' | 'md' | 'lg';
  readonly icon?: ReactNode;
}

export function ButtonLink({ variant = 'secondary', size = 'md', icon, className, children, ...rest }: ButtonLinkProps) {
  return (
    <a className={buttonClass(variant, size, className)} {...rest}>
      {icon}
      {children}
    </a>
  );
}

// --- form fields ----------------------------------------------------------------

export function Field({ label, hint, error, htmlFor, children, className }: {
  readonly label: ReactNode; readonly hint?: ReactNode; readonly error?: string | undefined; readonly htmlFor: string; readonly children: ReactNode; readonly className?: string;
}) {
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      {error ? <div className="error-text" id={`${htmlFor}-error`} role="alert"><IconAlert width={14} height={14} />{error}</div> : hint ? <div className="hint" id={`${htmlFor}-hint`}>{hint}</div> : null}
    </div>
  );
}

/** aria props that tie an input to its Field's error or hint. */
export function described(id: string, error: string | undefined, hint?: boolean): { 'aria-invalid'?: true; 'aria-describedby'?: string } {
  if (error) return { 'aria-invalid': true, 'aria-describedby': `${id}-error` };
  return hint ? { 'aria-describedby': `${id}-hint` } : {};
}

export function Segmented<T extends string>({ value, options, onChange, label }: {
  readonly value: T; readonly options: readonly { readonly value: T; readonly label: string }[]; readonly onChange: (v: T) => void; readonly label: string;
}) {
  return (
    <div className="segmented" role="group" aria-label={label}>
      {options.map((o) => (
        <button key={o.value} type="button" aria-pressed={o.value === value} onClick={() => onChange(o.value)}>{o.label}</button>
      ))}
    </div>
  );
}

/**
 * One choice of a few, as ARIA radios (checked state only, never aria-pressed as well): Tab
 * reaches the checked one, the arrow keys move the choice, as a group of native radios does.
 */
export function ChoiceGroup<T extends string | number>({ value, options, onChange, disabled, className, ...name }: {
  readonly value: T;
  readonly options: readonly { readonly value: T; readonly title: ReactNode; readonly sub: ReactNode }[];
  readonly onChange: (v: T) => void;
  readonly disabled?: boolean;
  readonly className?: string;
  readonly 'aria-label'?: string;
  readonly 'aria-labelledby'?: string;
}) {
  const group = useRef<HTMLDivElement>(null);
  const onKeyDown = (e: ReactKeyboardEvent<HTMLDivElement>) => {
    const step = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
    if (step === 0 || disabled) return;
    e.preventDefault();
    const at = (options.findIndex((o) => o.value === value) + step + options.length) % options.length;
    onChange(options[at]!.value);
    group.current?.querySelectorAll<HTMLButtonElement>('[role="radio"]')[at]?.focus();
  };
  return (
    <div ref={group} className={`choice-list ${className ?? ''}`} role="radiogroup" onKeyDown={onKeyDown} {...name}>
      {options.map((o) => (
        <button key={o.value} type="button" role="radio" className="choice" aria-checked={o.value === value} tabIndex={o.value === value ? 0 : -1} disabled={disabled} onClick={() => onChange(o.value)}>
          <span className="c-title">{o.title}</span><span className="c-sub">{o.sub}</span>
        </button>
      ))}
    </div>
  );
}

// --- badges ---------------------------------------------------------------------

export type Tone = 'success' | 'warning' | 'danger' | 'info' | 'neutral' | 'accent';

export function Badge({ tone = 'neutral', children, plain, large, title }: {
  readonly tone?: Tone; readonly children: ReactNode; readonly plain?: boolean; readonly large?: boolean; readonly title?: string;
}) {
  return <span title={title} className={`badge ${tone === 'neutral' ? '' : `badge-${tone}`} ${plain ? 'plain' : ''} ${large ? 'badge-lg' : ''}`}>{children}</span>;
}

const statusTones: Record<string, Tone> = {
  completed: 'success', approved: 'success', delivered: 'success', active: 'success', succeeded: 'success', ok: 'success',
  pending: 'warning', retrying: 'warning', scheduled: 'warning', queued: 'warning', delivering: 'warning',
  declined: 'danger', denied: 'danger', failed: 'danger', revoked: 'danger', disabled: 'danger', dead: 'danger', gave_up: 'danger',
  refunded: 'info', partially_refunded: 'info', disputed: 'info', reversed: 'info', simulate: 'accent',
  cancelled: 'neutral', expired: 'neutral',
};

function statusLabel(status: string): string {
  const s = status.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function StatusBadge({ status, large }: { readonly status: string; readonly large?: boolean }) {
  return <Badge tone={statusTones[status] ?? 'neutral'} large={large}>{statusLabel(status)}</Badge>;
}

// --- surfaces -------------------------------------------------------------------

export function Card({ title, description, actions, children, className, flush, footer, id }: {
  readonly title?: ReactNode; readonly description?: ReactNode; readonly actions?: ReactNode; readonly children?: ReactNode;
  readonly className?: string; readonly flush?: boolean; readonly footer?: ReactNode; readonly id?: string;
}) {
  return (
    <section className={`card ${flush ? 'card-flush' : ''} ${className ?? ''}`} aria-labelledby={title && id ? `${id}-title` : undefined} id={id}>
      {(title || actions) && (
        <div className="card-header">
          <div className="grow">
            {title && <h2 id={id ? `${id}-title` : undefined}>{title}</h2>}
            {description && <div className="desc">{description}</div>}
          </div>
          {actions && <div className="row">{actions}</div>}
        </div>
      )}
      {flush ? children : children !== undefined && <div className="card-body">{children}</div>}
      {footer && <div className="card-footer">{footer}</div>}
    </section>
  );
}

export function PageHeader({ title, sub, actions, back }: {
  readonly title: ReactNode; readonly sub?: ReactNode; readonly actions?: ReactNode; readonly back?: { readonly href: string; readonly label: string };
}) {
  return (
    <header className="page-header">
      <div className="grow">
        {back && <a className="back-link" href={back.href}><IconArrowLeft />{back.label}</a>}
        <h1>{title}</h1>
        {sub && <p className="sub">{sub}</p>}
      </div>
      {actions && <div className="actions">{actions}</div>}
    </header>
  );
}

export function Callout({ tone = 'info', title, children, icon }: {
  readonly tone?: 'info' | 'warning' | 'danger' | 'success' | 'neutral'; readonly title?: ReactNode; readonly children?: ReactNode; readonly icon?: ReactNode;
}) {
  const Icon = tone === 'danger' ? IconCircleX : tone === 'warning' ? IconAlert : tone === 'success' ? IconCircleCheck : IconInfo;
  return (
    <div className={`callout ${tone === 'neutral' ? '' : `callout-${tone}`}`} role={tone === 'danger' ? 'alert' : undefined}>
      {icon ?? <Icon />}
      <div className="grow">
        {title && <div className="callout-title">{title}</div>}
        {children && <div className={title ? 'muted' : undefined}>{children}</div>}
      </div>
    </div>
  );
}

export function ErrorCallout({ error, action }: { readonly error: unknown; readonly action?: ReactNode }) {
  if (!error) return null;
  const t = describeError(error);
  return (
    <Callout tone="danger" title={t.title}>
      {t.body}
      {action && <div className="row" style={{ marginTop: 8 }}>{action}</div>}
    </Callout>
  );
}

// --- list states ---------------------------------------------------------------

export function EmptyState({ icon, title, children, action, compact }: {
  readonly icon: ReactNode; readonly title: ReactNode; readonly children?: ReactNode; readonly action?: ReactNode; readonly compact?: boolean;
}) {
  return (
    <div className={`empty ${compact ? 'empty-compact' : ''}`}>
      <div className="empty-icon">{icon}</div>
      <h3>{title}</h3>
      {children && <p>{children}</p>}
      {action}
    </div>
  );
}

export function ErrorState({ error, retry, compact }: { readonly error: unknown; readonly retry?: () => void; readonly compact?: boolean }) {
  const t = describeError(error);
  return (
    <div className={`empty error ${compact ? 'empty-compact' : ''}`} role="alert">
      <div className="empty-icon"><IconAlert /></div>
      <h3>{t.title}</h3>
      <p>{t.body}</p>
      {retry && <Button size="sm" icon={<IconRefresh />} onClick={retry}>Try again</Button>}
    </div>
  );
}

export function LoadingRows({ rows = 5, label = 'Loading' }: { readonly rows?: number; readonly label?: string }) {
  return (
    <div className="skeleton-rows" role="status" aria-label={label}>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i}>
          <span className="skeleton" style={{ width: `${60 + ((i * 17) % 35)}%` }} />
          <span className="skeleton" style={{ width: '70%' }} />
          <span className="skeleton" style={{ width: '55%' }} />
          <span className="skeleton" style={{ width: '40%' }} />
        </div>
      ))}
    </div>
  );
}

export function LoadingBlock({ label = 'Loading…' }: { readonly label?: string }) {
  return <div className="loading-block" role="status"><span className="spinner spinner-lg" aria-hidden="true" />{label}</div>;
}

/** Loading, error, empty, or the content: the four states every list has. */
export function ListState<T>({ data, error, loading, retry, isEmpty, empty, children, skeletonRows }: {
  readonly data: T | undefined; readonly error: unknown; readonly loading: boolean; readonly retry: () => void;
  readonly isEmpty: (d: T) => boolean; readonly empty: ReactNode; readonly children: (d: T) => ReactNode; readonly skeletonRows?: number;
}) {
  if (data === undefined) {
    if (error) return <ErrorState error={error} retry={retry} />;
    if (loading) return <LoadingRows rows={skeletonRows ?? 5} />;
    return null;
  }
  return (
    <>
      {error ? <div style={{ padding: 12 }}><ErrorCallout error={error} action={<Button size="sm" onClick={retry}>Try again</Button>} /></div> : null}
      {isEmpty(data) ? empty : children(data)}
    </>
  );
}

// --- copy, ids, secrets --------------------------------------------------------

async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // Clipboard API refused (no focus, or permissions): fall back to a selection copy.
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.className = 'sr-only';
  document.body.appendChild(ta);
  ta.select();
  const ok = document.execCommand('copy');
  ta.remove();
  if (!ok) throw new Error('copy refused');
}

export function CopyButton({ value, label = 'Copy', size = 'sm', variant = 'secondary', showLabel = true }: {
  readonly value: string; readonly label?: string; readonly size?: 'sm' | 'md'; readonly variant?: ButtonVariant; readonly showLabel?: boolean;
}) {
  const [copied, setCopied] = useState(false);
  const toast = useToast();
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 1600);
    return () => clearTimeout(t);
  }, [copied]);
  return (
    <Button
      size={size} variant={variant} iconOnly={!showLabel}
      icon={copied ? <IconCheck /> : <IconCopy />}
      aria-label={showLabel ? undefined : label}
      title={showLabel ? undefined : label}
      onClick={() => copyText(value).then(() => setCopied(true), () => toast.error('Could not copy', 'Select the text and copy it by hand.'))}
    >
      {showLabel ? (copied ? 'Copied' : label) : null}
    </Button>
  );
}

export function IdChip({ value, copy = true, label }: { readonly value: string; readonly copy?: boolean; readonly label?: string }) {
  return (
    <span className="idchip">
      <span title={value}>{value}</span>
      {copy && <CopyButton value={value} size="sm" variant="ghost" showLabel={false} label={label ?? `Copy ${value}`} />}
    </span>
  );
}

export function Avatar({ name, seed, large }: { readonly name: string; readonly seed?: string; readonly large?: boolean }) {
  return (
    // OKLCH keeps the lightness the same for every hue, so white initials keep 4.5:1 on any seed (HSL's yellows and greens did not).
    <span className={`avatar ${large ? 'avatar-lg' : ''}`} style={{ background: `oklch(48% 0.13 ${hueOf(seed ?? name)})` }} aria-hidden="true">
      {initials(name)}
    </span>
  );
}

// --- dialog -------------------------------------------------------------------------

export function Dialog({ open, onClose, title, children, footer, labelledBy, wide }: {
  readonly open: boolean; readonly onClose: () => void; readonly title: ReactNode; readonly children: ReactNode; readonly footer?: ReactNode; readonly labelledBy?: string; readonly wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const autoId = useId();
  const titleId = labelledBy ?? `${autoId}-title`;
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className={`dialog ${wide ? 'dialog-wide' : ''}`} aria-labelledby={titleId} onClose={onClose} onCancel={(e) => { e.preventDefault(); onClose(); }}>
      {open && (
        <>
          <div className="dialog-head"><h2 id={titleId}>{title}</h2></div>
          <div className="dialog-body">{children}</div>
          {footer && <div className="dialog-foot">{footer}</div>}
        </>
      )}
    </dialog>
  );
}

export function ConfirmDialog({ open, title, children, confirmLabel, tone = 'primary', onConfirm, onClose }: {
  readonly open: boolean; readonly title: ReactNode; readonly children: ReactNode; readonly confirmLabel: string;
  readonly tone?: 'primary' | 'danger'; readonly onConfirm: () => Promise<void> | void; readonly onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    if (open) setError(undefined);
  }, [open]);
  return (
    <Dialog
      open={open} onClose={() => !busy && onClose()} title={title}
      footer={<>
        <Button onClick={onClose} disabled={busy}>Cancel</Button>
        <Button variant={tone} busy={busy} onClick={async () => {
          setBusy(true);
          setError(undefined);
          try {
            await onConfirm();
            onClose();
          } catch (e) {
            setError(e);
          } finally {
            setBusy(false);
          }
        }}>{confirmLabel}</Button>
      </>}
    >
      <div className="stack-sm">
        <div>{children}</div>
        <ErrorCallout error={error} />
      </div>
    </Dialog>
  );
}

// --- drawer ------------------------------------------------------------------------

export function Drawer({ onClose, title, subtitle, actions, children, label }: {
  readonly onClose: () => void; readonly title: ReactNode; readonly subtitle?: ReactNode; readonly actions?: ReactNode; readonly children: ReactNode; readonly label: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    ref.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !document.querySelector('dialog[open]')) onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      previous?.focus?.();
    };
  }, [onClose]);
  return (
    <>
      <div className="drawer-scrim" onClick={onClose} aria-hidden="true" />
      <aside className="drawer" role="dialog" aria-modal="true" aria-label={label} tabIndex={-1} ref={ref}>
        <div className="drawer-head">
          <div className="grow">
            <h2>{title}</h2>
            {subtitle && <div className="muted small" style={{ marginTop: 2 }}>{subtitle}</div>}
          </div>
          {actions}
          <Button variant="ghost" iconOnly icon={<IconX />} aria-label="Close" onClick={onClose} />
        </div>
        <div className="drawer-body">{children}</div>
      </aside>
    </>
  );
}

// --- tabs ----------------------------------------------------------------------------

export function Tabs<T extends string>({ tabs, value, onChange, label }: {
  readonly tabs: readonly { readonly id: T; readonly label: ReactNode; readonly icon?: ReactNode }[]; readonly value: T; readonly onChange: (id: T) => void; readonly label: string;
}) {
  const onKey = (e: ReactKeyboardEvent<HTMLDivElement>) => {
    const i = tabs.findIndex((t) => t.id === value);
    const next = e.key === 'ArrowRight' ? (i + 1) % tabs.length : e.key === 'ArrowLeft' ? (i - 1 + tabs.length) % tabs.length : -1;
    if (next >= 0) {
      e.preventDefault();
      onChange(tabs[next]!.id);
      (e.currentTarget.querySelectorAll('[role="tab"]')[next] as HTMLElement | undefined)?.focus();
    }
  };
  return (
    <div className="tabs" role="tablist" aria-label={label} onKeyDown={onKey}>
      {tabs.map((t) => (
        <button key={t.id} type="button" role="tab" className="tab" aria-selected={t.id === value} tabIndex={t.id === value ? 0 : -1} onClick={() => onChange(t.id)}>
          {t.icon}{t.label}
        </button>
      ))}
    </div>
  );
}

// --- toasts ----------------------------------------------------------------------------

type ToastTone = 'success' | 'danger' | 'info' | 'warning';
interface ToastItem {
  readonly id: number; readonly tone: ToastTone; readonly title: string; readonly body?: string; readonly action?: { label: string; href: string };
  /** A later toast with the same key replaces this one instead of stacking. */
  readonly key?: string;
}
export interface Toaster {
  success(title: string, body?: string): void;
  info(title: string, body?: string, action?: { label: string; href: string }, key?: string): void;
  warning(title: string, body?: string): void;
  error(titleOrError: unknown, body?: string): void;
}

const ToastContext = createContext<Toaster | undefined>(undefined);

export function useToast(): Toaster {
  const t = useContext(ToastContext);
  if (!t) throw new Error('useToast outside ToastProvider');
  return t;
}

export function ToastProvider({ children }: { readonly children: ReactNode }) {
  const [items, setItems] = useState<readonly ToastItem[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setItems((xs) => xs.filter((x) => x.id !== id)), []);
  const push = useCallback((t: Omit<ToastItem, 'id'>) => {
    const id = next.current++;
    setItems((xs) => [...xs.filter((x) => t.key === undefined || x.key !== t.key).slice(-3), { ...t, id }]);
    setTimeout(() => dismiss(id), t.tone === 'danger' ? 9000 : 5000);
  }, [dismiss]);
  const api = useMemo<Toaster>(() => ({
    success: (title, body) => push({ tone: 'success', title, ...(body ? { body } : {}) }),
    info: (title, body, action, key) => push({ tone: 'info', title, ...(body ? { body } : {}), ...(action ? { action } : {}), ...(key ? { key } : {}) }),
    warning: (title, body) => push({ tone: 'warning', title, ...(body ? { body } : {}) }),
    error: (e, body) => {
      if (typeof e === 'string') push({ tone: 'danger', title: e, ...(body ? { body } : {}) });
      else {
        const t = describeError(e);
        push({ tone: 'danger', title: t.title, body: t.body });
      }
    },
  }), [push]);
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts" role="region" aria-label="Notifications" aria-live="polite">
        {items.map((t) => {
          const Icon = t.tone === 'success' ? IconCircleCheck : t.tone === 'danger' ? IconCircleX : t.tone === 'warning' ? IconAlert : IconInfo;
          return (
            <div key={t.id} className={`toast toast-${t.tone}`} role={t.tone === 'danger' ? 'alert' : 'status'}>
              <Icon />
              <div className="grow">
                <div className="toast-title">{t.title}</div>
                {t.body && <div className="toast-body">{t.body}</div>}
                {t.action && <a className="small" href={t.action.href} onClick={() => dismiss(t.id)}>{t.action.label}</a>}
              </div>
              <Button variant="ghost" size="sm" iconOnly icon={<IconX />} aria-label="Dismiss" onClick={() => dismiss(t.id)} />
            </div>
          );
        })}
      </div>
    </ToastContext.Provider>
  );
}
