import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../mocks/handlers.ts';
import { OnboardingPage } from '../features/onboarding/lazy-onboarding-page.tsx';
import { renderApp } from '../test/render-app.tsx';

const server = setupServer(...createHandlers());
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(async () => {
  server.resetHandlers(...createHandlers());
  // The menu's "Get started" preloads the onboarding flow when focused; let that import finish
  // before jsdom is torn down.
  await OnboardingPage.preload();
});
afterAll(() => server.close());

describe('app shell', () => {
  it('shows the user from /api/me in the profile menu, and its "SSH Keys" item opens /ssh-keys', async () => {
    const { user, location } = renderApp('/');
    expect(screen.getByRole('heading', { name: 'Welcome to Keysmith' })).toBeInTheDocument();
    const profile = await screen.findByRole('button', { name: 'Profile menu: ada' });
    expect(profile).toHaveTextContent('ada');

    await user.click(profile);
    const menu = await screen.findByRole('menu');
    expect(within(menu).getByText('Signed in as ada')).toBeInTheDocument();
    await user.click(within(menu).getByRole('menuitem', { name: 'SSH Keys' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'SSH Keys' })).toBeInTheDocument();
    expect(location.history).toEqual(['/', '/ssh-keys']);
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
  });

  it('opens the profile menu from the keyboard', async () => {
    const { user } = renderApp('/');
    const profile = await screen.findByRole('button', { name: 'Profile menu: ada' });
    profile.focus();
    await user.keyboard('{Enter}');
    const item = await screen.findByRole('menuitem', { name: 'SSH Keys' });
    await user.keyboard('{ArrowDown}');
    expect(item).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(await screen.findByRole('heading', { level: 1, name: 'SSH Keys' })).toBeInTheDocument();
  });

  it('says so on the page in mock mode, and not otherwise', async () => {
    renderApp('/');
    expect(
      await screen.findByText('Mock mode — no server; keys live in this tab.'),
    ).toBeInTheDocument();
  });

  it('shows no mock banner for a real (local) server', async () => {
    server.use(http.get('/api/me', () => HttpResponse.json({ user: 'grace', mode: 'local' })));
    renderApp('/');
    await screen.findByRole('button', { name: 'Profile menu: grace' });
    expect(screen.queryByText(/Mock mode/)).not.toBeInTheDocument();
  });

  it('lands on a page with a way in: SSH Keys and Get started, as buttons', async () => {
    const { user, location } = renderApp('/');
    const keys = screen.getByRole('link', { name: 'SSH Keys' });
    expect(keys).toHaveClass('button-primary');
    expect(screen.getByRole('link', { name: 'Get started with Seqera Platform' })).toHaveAttribute(
      'href',
      '/get-started',
    );
    await user.click(keys);
    expect(location.history).toEqual(['/', '/ssh-keys']);
  });

  it('answers an unknown address with a way back', async () => {
    const { user, location } = renderApp('/nowhere');
    expect(screen.getByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
    await user.click(screen.getByRole('link', { name: 'SSH Keys' }));
    expect(location.history.at(-1)).toBe('/ssh-keys');
  });
});
