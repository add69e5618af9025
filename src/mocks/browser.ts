import { setupWorker } from 'msw/browser';
import { policyFileSchema, toPolicy, type Policy } from '../api/policy.ts';
import { createHandlers } from './handlers.ts';

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

/**
 * Starts the mock mode's service worker (public/mockServiceWorker.js): every /api request of
 * this tab is answered in the tab, from an in-memory authorized_keys that a reload empties.
 */
export async function startMockWorker(): Promise<void> {
  const policy = policyFromAddress();
  await setupWorker(...createHandlers(undefined, policy === undefined ? {} : { policy })).start({
    onUnhandledRequest: 'bypass',
    quiet: true,
  });
}
