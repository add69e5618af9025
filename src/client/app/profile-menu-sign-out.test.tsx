import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { createHandlers } from '../../mocks/handlers.ts';
import { signOut } from './profile-menu-sign-out.ts';

const server = setupServer(...createHandlers());
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers(...createHandlers()));
afterAll(() => server.close());

const preloadOnboarding = vi.hoisted(() => vi.fn());
vi.mock('../features/onboarding/lazy-onboarding-page.tsx', () => ({ preloadOnboarding }));

beforeEach(() => {
  vi.resetModules();
});

function meAs(mode: string) {
  server.use(http.get('/api/me', () => HttpResponse.json({ user: 'ada', mode })));
}

async function openMenu() {
  const { ProfileMenu } = await import('./profile-menu.tsx');
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <Router hook={memoryLocation({ path: '/' }).hook}>
        <ProfileMenu />
      </Router>
    </QueryClientProvider>,
  );
  const button = await screen.findByRole('button', { name: 'Profile menu: ada' });
  fireEvent.pointerDown(button, { button: 0, pointerType: 'mouse' });
  return screen.findByRole('menu');
}

describe('Sign out in the profile menu', () => {
  it('is offered when Keysmith signed the person in (OIDC mode)', async () => {
    meAs('oidc');
    const menu = await openMenu();
    expect(within(menu).getByRole('menuitem', { name: 'Sign out' })).toBeInTheDocument();
  });

  it('is not offered in the other modes, where Keysmith has no session to end', async () => {
    for (const mode of ['local', 'proxy']) {
      meAs(mode);
      const menu = await openMenu();
      expect(within(menu).getByRole('menuitem', { name: 'SSH Keys' })).toBeInTheDocument();
      expect(within(menu).queryByRole('menuitem', { name: 'Sign out' })).not.toBeInTheDocument();
      cleanup();
    }
  });

  it('selected, posts to /auth/logout', async () => {
    meAs('oidc');
    const posted = vi.fn();
    server.use(
      http.post('/auth/logout', ({ request }) => {
        posted(request.headers.get('accept'));
        // Kept from navigating away: jsdom has no navigation.
        return HttpResponse.json({ error: 'stay' }, { status: 500 });
      }),
    );
    const alert = vi.spyOn(window, 'alert').mockImplementation(() => undefined);
    const menu = await openMenu();
    await userEvent.setup().click(within(menu).getByRole('menuitem', { name: 'Sign out' }));
    await vi.waitFor(() => expect(alert).toHaveBeenCalled());
    expect(posted).toHaveBeenCalledWith('application/json');
    expect(alert.mock.calls[0]?.[0]).toMatch(/did not sign you out \(HTTP 500\)/);
    alert.mockRestore();
  });
});

describe('signOut', () => {
  it('goes where the server says once the session is ended', async () => {
    server.use(
      http.post('/auth/logout', () =>
        HttpResponse.json({ location: 'https://login.example.org/end?id_token_hint=x' }),
      ),
    );
    const go = vi.fn();
    expect(await signOut(go)).toBeNull();
    expect(go).toHaveBeenCalledWith('https://login.example.org/end?id_token_hint=x');
  });

  it('stays, with a message that says what to do, when the server refused', async () => {
    server.use(http.post('/auth/logout', () => new HttpResponse('refused', { status: 403 })));
    const go = vi.fn();
    expect(await signOut(go)).toMatch(/HTTP 403.*Reload the page and try again/);
    expect(go).not.toHaveBeenCalled();
  });
});
