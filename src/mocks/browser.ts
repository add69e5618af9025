import { setupWorker } from 'msw/browser';
import { policyFileSchema, toPolicy, type Policy } from '../api/policy.ts';
import { createMemoryKeyStore } from '../server/store/memory-key-store.ts';
import { createHandlers, MOCK_USER } from './handlers.ts';
import { sampleKeysFile } from './sample-keys.ts';

/**
 * The policy of `?mock-policy=` (a --policy file's JSON, e.g. `{"maxLifetimeDays":60}`), so the
 * mock mode can show the page under a site's limits; none without it or when it does not parse.
 */
function policyFromAddress(): Policy | undefined {
  const text = new URLSearchParams(window.location.search).get('mock-policy');
  if (text === null) return undefined;
  try {
    return toPolicy(policyFileSchema.parse(JSON.parse(text)));
  } catch (error) {
    console.warn('mock-policy is not a policy file; the mock runs without one.', error);
    return undefined;
  }
}

/** `?mock-keys=60`: the in-memory file starts with that many sample keys (at most 10,000). */
function sampleKeysFromAddress(): string {
  const count = Number(new URLSearchParams(window.location.search).get('mock-keys') ?? 0);
  return Number.isInteger(count) && count > 0
    ? sampleKeysFile(new Date(), Math.min(count, 10_000))
    : '';
}

/**
 * Starts the mock mode's service worker (public/mockServiceWorker.js): every /api request of
 * this tab is answered in the tab, from an in-memory authorized_keys that a reload empties.
 */
export async function startMockWorker(): Promise<void> {
  const policy = policyFromAddress();
  const store = createMemoryKeyStore(sampleKeysFromAddress(), {
    path: `/home/${MOCK_USER}/.ssh/authorized_keys`,
  });
  await setupWorker(...createHandlers(store, policy === undefined ? {} : { policy })).start({
    onUnhandledRequest: 'bypass',
    quiet: true,
  });
}
