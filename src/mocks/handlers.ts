/**
 * msw handlers for the dev mock mode and the component tests. They run the server's own Hono
 * app (src/server/http/app.ts) over an in-memory authorized_keys, so the mock answers exactly as the
 * real API does — same routes, same validation, same error messages — and cannot drift from it.
 */
import { http, type RequestHandler } from 'msw';
import type { Policy } from '../api/policy.ts';
// The agreed exception to the import arrows (README): the mock runs the platform-neutral app.
import { createApp } from '../server/http/app.ts';
import type { LastUse } from '../server/last-use/last-use-index.ts';
import type { KeyStore } from '../server/store/key-store.ts';
import { createMemoryKeyStore } from '../server/store/memory-key-store.ts';

/** The mock's signed-in user. */
export const MOCK_USER = 'ada';

export interface MockOptions {
  /** The site policy GET /api/policy answers and every add is checked against. */
  policy?: Policy;
  /** Last logins by key fingerprint, as if read from sshd's log (the list says tracked). */
  lastUse?: ReadonlyMap<string, LastUse>;
}

/** Handlers answering every /api request from `store` (a fresh empty file by default). */
export function createHandlers(
  store: KeyStore = createMemoryKeyStore('', { path: `/home/${MOCK_USER}/.ssh/authorized_keys` }),
  options: MockOptions = {},
): RequestHandler[] {
  const { policy, lastUse } = options;
  const app = createApp({
    authenticate: () => Promise.resolve({ user: MOCK_USER, mode: 'mock' }),
    storeFor: () => store,
    now: () => new Date(),
    ...(policy === undefined ? {} : { policy }),
    ...(lastUse === undefined ? {} : { lastUse: () => lastUse }),
  });
  return [http.all('/api/*', ({ request }) => app.fetch(request))];
}
