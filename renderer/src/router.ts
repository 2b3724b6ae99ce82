// Hash routes (#/apps, #/wallet/confirm/pur_x?...), so deep links work in the
// desktop window and in a browser tab without the server knowing the routes.
import { useSyncExternalStore } from 'react';

export interface Location {
  /** Path segments after "#/", decoded. */
  readonly segments: readonly string[];
  readonly path: string;
  readonly query: URLSearchParams;
}

function parse(hash: string): Location {
  const raw = hash.replace(/^#/, '') || '/';
  const [pathPart = '/', queryPart = ''] = raw.split('?', 2);
  const segments = pathPart.split('/').filter(Boolean).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return { segments, path: `/${segments.join('/')}`, query: new URLSearchParams(queryPart) };
}

let cached: { hash: string; loc: Location } | undefined;

function snapshot(): Location {
  const hash = window.location.hash;
  if (cached?.hash !== hash) cached = { hash, loc: parse(hash) };
  return cached.loc;
}

function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}

export function useLocation(): Location {
  return useSyncExternalStore(subscribe, snapshot);
}

/** "#/transactions" with optional query; values that are empty are dropped. */
export function href(path: string, query?: Readonly<Record<string, string | undefined | null>>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) qs.set(k, v);
  const encoded = path.split('/').map((s) => encodeURIComponent(s)).join('/');
  return `#${encoded}${qs.size > 0 ? `?${qs}` : ''}`;
}

export function navigate(path: string, query?: Readonly<Record<string, string | undefined | null>>, opts: { replace?: boolean } = {}): void {
  const next = href(path, query);
  if (opts.replace) {
    window.history.replaceState(null, '', next);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = next.slice(1);
  }
}
