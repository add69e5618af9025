import type { ZodMiniType } from 'zod/mini';
import { errorResponseSchema } from '../../api/ssh-keys.ts';
import { sessionToken } from './session-token.ts';

export interface ApiRequestInit {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
}

/** The fetch options of an API request: this tab's sign-in token, JSON in and out. */
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

/** An API error with the server's own message, meant to be shown to the user as is. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(message: string, status: number, code: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/**
 * Whether a failed query is worth asking again by itself: a 5xx (a file lock held a moment)
 * may pass, three tries at most. A 4xx is the same answer next time, and a server that does
 * not answer is said at once, with Retry, rather than after seconds of silent backoff.
 */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status < 500) return false;
  return failureCount < 3;
}

/** Whether a Retry button can help: not when the tab must sign in again first. */
export function canRetry(error: unknown): boolean {
  return !(error instanceof ApiError && error.status === 401);
}

const UNREACHABLE = 'Keysmith is not reachable: check that it is running, then try again.';
const RESTARTED =
  'Keysmith restarted, or this tab was opened from an old sign-in link: open the new link it printed in the terminal.';

/**
 * Same-origin fetch that parses the answer with a zod schema from src/api (the client checks
 * what it is told) and turns the server's `{ error: { message } }` into an ApiError.
 */
export async function fetchJson<T>(
  path: string,
  schema: ZodMiniType<T>,
  init: ApiRequestInit = {},
): Promise<T> {
  const response = await send(path, init);
  const body: unknown = await response.json().catch(() => undefined);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError(
      `The server sent an answer this page does not understand (${path}). Reload the page; if it persists, the server and page versions differ.`,
      response.status,
      'bad-response',
    );
  }
  return parsed.data;
}

/** Like fetchJson, for answers without a body (204 No Content). */
export async function fetchNoContent(path: string, init: ApiRequestInit = {}): Promise<void> {
  await send(path, init);
}

async function send(path: string, init: ApiRequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, fetchInit(init));
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(UNREACHABLE, 0, 'network');
  }
  // A tab holds a token only in local mode; its refusal means the server's token changed.
  if (response.status === 401 && sessionToken() !== null) {
    throw new ApiError(RESTARTED, 401, 'unauthorized');
  }
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => null);
    const parsed = errorResponseSchema.safeParse(body);
    if (parsed.success) {
      throw new ApiError(parsed.data.error.message, response.status, parsed.data.error.code);
    }
    throw new ApiError(
      response.status === 401
        ? 'This tab is not signed in. Open the URL that `keysmith serve` printed (each tab signs in from it).'
        : `The server answered ${response.status} ${response.statusText}. Retry, or check the server log.`,
      response.status,
      'http',
    );
  }
  return response;
}
