import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { shouldRetry } from './api/fetch-json.ts';
import { adoptSignInToken } from './api/session-token.ts';
import { App } from './app/app.tsx';
import './styles.css';

async function start() {
  // Before the first request, so that every request carries this tab's token.
  adoptSignInToken();
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
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
}

void start();
