/**
 * Imported by main.tsx before anything else, so that this runs before React, react-query and
 * zod are evaluated. First the sign-in token leaves the address bar for this tab's storage, so
 * that every request, this one included, carries it. Then, on a first load of the SSH Keys page,
 * the key list is asked for at once and arrives while the page's code is still being evaluated.
 * Not in mock mode (`npm run dev`): there msw answers only once main.tsx has started it.
 */
import { startEarlyGet } from '../api/early-get.ts';
import { adoptSignInToken } from '../api/session-token.ts';

/** apiPaths.sshKeys, written out: src/api, where it is defined, imports zod. */
export const EARLY_SSH_KEYS_PATH = '/api/ssh-keys';

adoptSignInToken();

if (!import.meta.env.DEV && window.location.pathname === '/ssh-keys') {
  startEarlyGet(EARLY_SSH_KEYS_PATH);
}
