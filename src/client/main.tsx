// First: it takes the sign-in token from the address bar and starts the SSH keys request
// before the modules below are evaluated.
import './app/early-requests.ts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { shouldRetry } from './api/fetch-json.ts';
import { App } from './app/app.tsx';
import { sshKeysQueryOptions } from './features/ssh-keys/ssh-keys-query-options.ts';
import './styles.css';

/** How long the first render waits for the SSH keys; after that it shows "Loading SSH keys…". */
const FIRST_RENDER_WAIT_MS = 100;

async function start() {
  // `npm run dev` is mock mode: msw answers /api with the server's own routes over an
  // in-memory file. The guard is a build-time constant, so a production build has no msw.
  if (import.meta.env.DEV) {
    const { startMockWorker } = await import('../mocks/browser.ts');
    await startMockWorker();
  }
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root element');
  const queryClient = new QueryClient({
    defaultOptions: { queries: { refetchOnWindowFocus: false, retry: shouldRetry } },
  });
  // Have the keys before React's first render (issue 6, figure 3b): the request that
  // early-requests.ts started has usually been answered by now, and rendering the page once
  // with its list beats rendering "Loading SSH keys…" and then the list. A slow answer delays
  // the first render by FIRST_RENDER_WAIT_MS at most.
  if (window.location.pathname === '/ssh-keys') {
    // Errors are the page's to show: its own query reports them.
    const keys = queryClient.query(sshKeysQueryOptions()).catch(() => undefined);
    await Promise.race([keys, new Promise((resolve) => setTimeout(resolve, FIRST_RENDER_WAIT_MS))]);
  }
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
}

void start();
