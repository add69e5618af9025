import { setupWorker } from 'msw/browser';
import { createHandlers } from './handlers.ts';

/**
 * Starts the mock mode's service worker (public/mockServiceWorker.js): every /api request of
 * this tab is answered in the tab, from an in-memory authorized_keys that a reload empties.
 */
export async function startMockWorker(): Promise<void> {
  await setupWorker(...createHandlers()).start({ onUnhandledRequest: 'bypass', quiet: true });
}
