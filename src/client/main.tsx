import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app.tsx';
import { sshKeysQueryOptions } from './features/ssh-keys/ssh-keys-query-options.ts';
import './styles.css';

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
    defaultOptions: { queries: { refetchOnWindowFocus: false } },
  });
  // Ask for the keys before React's first render, not after it (issue 6, figure 3b).
  if (window.location.pathname === '/ssh-keys') {
    // Errors are the page's to show: its own query reports them.
    queryClient.query(sshKeysQueryOptions()).catch(() => undefined);
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
