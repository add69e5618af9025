/**
 * What every request of this page sends, and GETs started before the page's code has been
 * evaluated. Nothing here imports zod or React: a module that starts an early GET runs while
 * they are still being evaluated (see src/client/app/early-requests.ts).
 */
import { sessionToken } from './session-token.ts';

export interface ApiRequestInit {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
}

/** The fetch options of an API request. */
export function fetchInit(init: ApiRequestInit): RequestInit {
  const token = sessionToken();
  return {
    method: init.method ?? 'GET',
    // Proxy mode: the sign-in proxy's own session cookie, same-origin only.
    credentials: 'same-origin',
    headers: {
      Accept: 'application/json',
      ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
      ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: init.body === undefined ? null : JSON.stringify(init.body),
    signal: init.signal ?? null,
  };
}

const earlyGets = new Map<string, Promise<Response>>();

/**
 * Starts `GET path` now; the first fetchJson of that path takes this answer instead of asking
 * again. For the first load of a page only: an answer nobody takes stays in memory.
 */
export function startEarlyGet(path: string): void {
  if (earlyGets.has(path)) return;
  const response = fetch(path, fetchInit({}));
  // Whoever takes it sees a failure; until then it is not an unhandled rejection.
  response.catch(() => undefined);
  earlyGets.set(path, response);
}

/** The answer of an early `GET path`, once; undefined when none was started or it was taken. */
export function takeEarlyGet(path: string): Promise<Response> | undefined {
  const response = earlyGets.get(path);
  earlyGets.delete(path);
  return response;
}
