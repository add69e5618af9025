/**
 * Imported by main.tsx before anything else, so that this runs before React, react-query and
 * zod are evaluated: on a first load of the SSH Keys page the key list is asked for at once, and
 * arrives while the page's code is still being evaluated (issue 6, figure 3b). Not in mock mode
 * (`npm run dev`): there msw answers only once main.tsx has started it.
 */
import { startEarlyGet } from '../api/early-get.ts';

/** apiPaths.sshKeys, written out: src/api, where it is defined, imports zod. */
export const EARLY_SSH_KEYS_PATH = '/api/ssh-keys';

if (!import.meta.env.DEV && window.location.pathname === '/ssh-keys') {
  startEarlyGet(EARLY_SSH_KEYS_PATH);
}
