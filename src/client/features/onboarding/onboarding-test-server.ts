import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse, type RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { Policy } from '../../../api/policy.ts';
import type { FileWarning, ListKeysResponse } from '../../../api/ssh-keys.ts';
import { renderApp } from '../../test/render-app.tsx';
import { OnboardingPage } from './lazy-onboarding-page.tsx';

/** A request the page sent, as method, origin, path, body text and Authorization header. */
export interface SentRequest {
  method: string;
  origin: string;
  path: string;
  body: string;
  authorization: string;
}

/** The part of a key store this file uses (the tests pass the mock's in-memory store). */
interface ListingStore {
  list(): Promise<ListKeysResponse>;
}

/** What the mock server answers with; each test starts from the defaults. */
export interface OnboardingServerState<S extends ListingStore> {
  store: S;
  /** What the file reports as making sshd ignore it. */
  warnings: FileWarning[];
  /** The server reads sshd's log: the list says lastUseTracked, and `lastUse` fills keys in. */
  tracked: boolean;
  lastUse: Map<string, { lastUsedAt: string; lastUsedFrom: string }>;
  /** GET /api/me's seqeraApis (the server's --seqera-api). */
  seqeraApis: string[];
  /** GET /api/policy's answer (null: the server's own, no limits). */
  policy: Policy | null;
  sent: SentRequest[];
}

/**
 * The server's own routes (msw over the real app: `createHandlers`) for the onboarding tests,
 * over a fresh in-memory file per test (`createStore`) whose list can also report StrictModes
 * warnings and last use; registers the hooks. The two come from the test, as the app's own
 * code never imports the mock or the server.
 */
export function setupOnboardingServer<S extends ListingStore>(
  createStore: () => S,
  createHandlers: (store: S) => RequestHandler[],
) {
  const server = setupServer();
  const state = {} as OnboardingServerState<S>;

  // The page is a lazily loaded chunk; these tests are about the flow, so it starts loaded.
  beforeAll(async () => {
    await OnboardingPage.preload();
  });
  beforeAll(() => {
    server.listen({ onUnhandledRequest: 'error' });
    server.events.on('request:start', ({ request }) => {
      void request
        .clone()
        .text()
        .then((body) => {
          const url = new URL(request.url);
          state.sent.push({
            method: request.method,
            origin: url.origin,
            path: url.pathname,
            body,
            authorization: request.headers.get('Authorization') ?? '',
          });
        });
    });
  });
  beforeEach(() => {
    sessionStorage.clear();
    const store = createStore();
    Object.assign(state, {
      store,
      warnings: [],
      tracked: false,
      lastUse: new Map(),
      seqeraApis: [],
      policy: null,
      sent: [],
    } satisfies OnboardingServerState<S>);
    server.resetHandlers(
      // A resolver that returns nothing hands the request on to the next handler: the app's.
      http.get('/api/me', () =>
        state.seqeraApis.length === 0
          ? undefined
          : HttpResponse.json({ user: 'ada', mode: 'mock', seqeraApis: state.seqeraApis }),
      ),
      http.get('/api/policy', () =>
        state.policy === null ? undefined : HttpResponse.json(state.policy),
      ),
      ...createHandlers({
        ...store,
        list: async () => {
          const list = await store.list();
          return {
            ...list,
            keys: list.keys.map((key) => ({ ...key, ...state.lastUse.get(key.fingerprint) })),
            warnings: state.warnings,
            ...(state.tracked ? { lastUseTracked: true } : {}),
          };
        },
      }),
    );
  });
  afterAll(() => server.close());
  return { server, state };
}

/** The server refusing a removal because its disk is full, for `server.use`. */
export const deleteFailsDiskFull = http.delete('/api/ssh-keys/:fingerprint', () =>
  HttpResponse.json(
    {
      error: { code: 'file-error', message: 'The disk is full: free some space, then try again.' },
    },
    { status: 500 },
  ),
);

/** Opens the flow, begins, and generates with `passphrase`; returns at step 3. */
export async function generateThroughFlow(passphrase: string) {
  const app = renderApp('/get-started');
  await app.user.click(screen.getByRole('button', { name: 'Begin' }));
  const form = await screen.findByRole('form', { name: 'Generate a key for Seqera' });
  await waitFor(() => expect(within(form).getByLabelText('Name')).toHaveValue('seqera-ada'));
  if (passphrase !== '') {
    await app.user.type(within(form).getByLabelText('Passphrase'), passphrase);
    await app.user.type(within(form).getByLabelText('Confirm passphrase'), passphrase);
  }
  await app.user.click(within(form).getByRole('button', { name: 'Generate Key' }));
  await screen.findByRole('heading', { name: 'Step 3 of 5: Add it to Seqera Platform' });
  return app;
}

/** What the clipboard holds after `click`. */
export async function clipboardAfter(click: () => Promise<void>): Promise<string> {
  await click();
  return navigator.clipboard.readText();
}
