/**
 * The local-mode sign-in token of this tab. `keysmith serve` prints
 * `http://127.0.0.1:PORT/#token=…`; the page moves the token from the address bar into
 * sessionStorage, which only this origin (port included) and this tab can read, and sends it as
 * `Authorization: Bearer`. Never a cookie: a cookie for 127.0.0.1 reaches every port of that
 * host (RFC 6265 §8.5), so any local user's server would receive it.
 */

const STORAGE_KEY = 'keysmith-token';

/** Where the token lives when the browser refuses sessionStorage: until the tab reloads. */
let inMemory: string | null = null;

/**
 * Takes a `token` from the address bar's fragment (or from the query, as older printed links
 * had it) into this tab's storage, and removes it from the address bar and the history entry.
 * Runs before the page's first request.
 */
export function adoptSignInToken(): void {
  const url = new URL(window.location.href);
  const fragment = new URLSearchParams(url.hash.slice(1));
  const token = fragment.get('token') ?? url.searchParams.get('token');
  if (token === null) return;
  if (fragment.has('token')) {
    fragment.delete('token');
    url.hash = fragment.toString();
  }
  if (url.searchParams.has('token')) url.searchParams.delete('token');
  // The whole URL, not a path: a path such as //host/ would name another origin.
  window.history.replaceState(window.history.state, '', url.href);
  if (token === '') return;
  inMemory = token;
  try {
    window.sessionStorage.setItem(STORAGE_KEY, token);
  } catch {
    // Storage disabled: the token stays in memory for this page.
  }
}

/** This tab's sign-in token, or null (mock mode, proxy mode, or a tab not signed in). */
export function sessionToken(): string | null {
  if (inMemory !== null) return inMemory;
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
