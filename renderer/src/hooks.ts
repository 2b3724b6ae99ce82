// Data loading that stays fresh: a resource reloads when the server reports a
// change it cares about (SSE), keeps showing the last data while it reloads,
// and ignores answers that arrive after a newer request.
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { EventSelector } from '../../contract/events.ts';
import { events, matches, type ServerEvent, type StreamState } from './events.ts';

export interface Resource<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  reload(): void;
}

export function useResource<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
  opts: { readonly events?: readonly EventSelector[]; readonly keepData?: boolean } = {},
): Resource<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const keep = opts.keepData ?? true;

  useEffect(() => {
    const ctrl = new AbortController();
    setState((s) => ({ data: keep ? s.data : undefined, error: undefined, loading: true }));
    loadRef.current(ctrl.signal).then(
      (data) => {
        if (!ctrl.signal.aborted) setState({ data, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (!ctrl.signal.aborted) setState((s) => ({ data: keep ? s.data : undefined, error, loading: false }));
      },
    );
    return () => ctrl.abort();
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const prefixes = opts.events;
  const key = prefixes?.join(',') ?? '';
  useEffect(() => {
    if (!prefixes || prefixes.length === 0) return;
    // Bursts of events (a purchase completing emits several) cause one reload.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = events.subscribe((e) => {
      if (!matches(e.type, prefixes)) return;
      clearTimeout(timer);
      timer = setTimeout(reload, 120);
    });
    return () => {
      clearTimeout(timer);
      off();
    };
  }, [key, reload]);

  return { ...state, reload };
}

export function useServerEvents(handler: (e: ServerEvent) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => events.subscribe((e) => ref.current(e)), []);
}

let streamState: StreamState = 'connecting';
const stateSubs = new Set<() => void>();
let stateHooked = false;

export function useStreamState(): StreamState {
  return useSyncExternalStore(
    (cb) => {
      stateSubs.add(cb);
      if (!stateHooked) {
        stateHooked = true;
        events.onState((s) => {
          streamState = s;
          for (const f of stateSubs) f();
        });
      }
      return () => stateSubs.delete(cb);
    },
    () => streamState,
  );
}

/** How far Paydesk's test clock runs ahead of this computer's (test-clock.tsx sets it; 0 without --test-clock). */
let paydeskOffsetMs = 0;

export function setPaydeskClockOffset(ms: number): void {
  paydeskOffsetMs = ms;
}

/** Paydesk's time now: what its expiry times, lockouts and notice schedules are measured by. */
function paydeskNow(): number {
  return Date.now() + paydeskOffsetMs;
}

/** Paydesk's current time, updated every `ms` while mounted (countdowns). */
export function useNow(ms = 1000, active = true): number {
  const [now, setNow] = useState(paydeskNow);
  useEffect(() => {
    if (!active) return;
    setNow(paydeskNow());
    const t = setInterval(() => setNow(paydeskNow()), ms);
    return () => clearInterval(t);
  }, [ms, active]);
  return now;
}

/** Runs an async action with a busy flag; returns [run, busy]. */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>): [(...args: A) => Promise<R | undefined>, boolean] {
  const [busy, setBusy] = useState(false);
  const ref = useRef(fn);
  ref.current = fn;
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const run = useCallback(async (...args: A) => {
    setBusy(true);
    try {
      return await ref.current(...args);
    } finally {
      if (mounted.current) setBusy(false);
    }
  }, []);
  return [run, busy];
}

export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Paydesk` : 'Paydesk';
  }, [title]);
}
