import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { bcryptPbkdf } from '../../crypto/bcrypt-pbkdf.ts';
import { App } from '../app/app.tsx';
import { KdfRunnerProvider } from '../crypto/kdf-context.tsx';
import type { KdfRunner } from '../crypto/worker-kdf.ts';

/** jsdom has no Worker: tests run bcrypt_pbkdf in the thread, through the same Kdf seam. */
export function inThreadKdfRunner(): KdfRunner {
  return {
    kdf: (passphrase, salt, rounds, keyLength) =>
      Promise.resolve(bcryptPbkdf(passphrase, salt, rounds, keyLength)),
    dispose: () => undefined,
  };
}

/**
 * Renders the whole app at `path` with a fresh QueryClient (retry off, so an error shows at
 * once) and an in-memory location; msw must already be listening. `createRunner` replaces the
 * in-thread KDF, e.g. to count derivations.
 */
export function renderApp(path = '/ssh-keys', createRunner: () => KdfRunner = inThreadKdfRunner) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  const location = memoryLocation({ path, record: true });
  const user = userEvent.setup();
  const result = render(
    <QueryClientProvider client={queryClient}>
      <KdfRunnerProvider createRunner={createRunner}>
        <Router hook={location.hook}>
          <App />
        </Router>
      </KdfRunnerProvider>
    </QueryClientProvider>,
  );
  return { ...result, user, location, queryClient };
}
