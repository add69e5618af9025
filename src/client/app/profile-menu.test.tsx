import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  onTestFinished,
  vi,
} from 'vitest';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { createHandlers } from '../../mocks/handlers.ts';

const server = setupServer(...createHandlers());
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers(...createHandlers()));
afterAll(() => server.close());

// Focusing "Get started" preloads the onboarding flow, key generation included: a load these
// menu tests do not wait for, which must not outlive the file's environment.
const preloadOnboarding = vi.hoisted(() => vi.fn());
vi.mock('../features/onboarding/lazy-onboarding-page.tsx', () => ({ preloadOnboarding }));

// The menu's Radix module loads once per page; each test needs a page that has not loaded it.
beforeEach(() => {
  vi.resetModules();
  preloadOnboarding.mockClear();
});

async function renderProfileMenu() {
  const { ProfileMenu } = await import('./profile-menu.tsx');
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const location = memoryLocation({ path: '/', record: true });
  const user = userEvent.setup();
  render(
    <QueryClientProvider client={queryClient}>
      <Router hook={location.hook}>
        <ProfileMenu />
      </Router>
    </QueryClientProvider>,
  );
  const button = await screen.findByRole('button', { name: 'Profile menu: ada' });
  return { button, location, user };
}

describe('profile menu before its first use', () => {
  it('is a collapsed menu button, and Enter pressed before the menu loaded opens it on the first item', async () => {
    const { button, location, user } = await renderProfileMenu();
    expect(button).toHaveAttribute('aria-haspopup', 'menu');
    expect(button).toHaveAttribute('aria-expanded', 'false');
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();

    // No hover or focus first: the key press itself has to load the menu and open it.
    fireEvent.keyDown(button, { key: 'Enter' });
    const menu = await screen.findByRole('menu');
    await waitFor(() =>
      expect(within(menu).getByRole('menuitem', { name: 'Get started' })).toHaveFocus(),
    );
    expect(preloadOnboarding).toHaveBeenCalled();
    await user.keyboard('{ArrowDown}');
    expect(within(menu).getByRole('menuitem', { name: 'SSH Keys' })).toHaveFocus();

    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('menu')).not.toBeInTheDocument());
    const trigger = screen.getByRole('button', { name: 'Profile menu: ada' });
    expect(trigger).toHaveFocus();
    expect(trigger).toHaveAttribute('aria-expanded', 'false');
    expect(location.history).toEqual(['/']);
  });

  it('keeps the focus on the button when focusing it loads the menu', async () => {
    const { button, user } = await renderProfileMenu();
    button.focus();
    // The loaded menu's own trigger takes the stand-in's place.
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Profile menu: ada' })).not.toBe(button),
    );
    const trigger = screen.getByRole('button', { name: 'Profile menu: ada' });
    expect(trigger).toHaveFocus();

    await user.keyboard('{Enter}');
    const menu = await screen.findByRole('menu');
    expect(within(menu).getByRole('menuitem', { name: 'Get started' })).toHaveFocus();
  });

  it('opens on a mouse press that comes before the menu loaded', async () => {
    const { button, location, user } = await renderProfileMenu();
    fireEvent.pointerDown(button, { button: 0, pointerType: 'mouse' });
    const menu = await screen.findByRole('menu');
    expect(within(menu).getByText('Signed in as ada')).toBeInTheDocument();
    await user.click(within(menu).getByRole('menuitem', { name: 'SSH Keys' }));
    expect(location.history).toEqual(['/', '/ssh-keys']);
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
  });

  it('stays a stand-in when loading the menu fails, and the next press loads and opens it', async () => {
    let attempts = 0;
    onTestFinished(() => vi.doUnmock('./profile-menu-dropdown.tsx'));
    vi.doMock('./profile-menu-dropdown.tsx', async (importOriginal) => {
      attempts += 1;
      if (attempts === 1) throw new Error('Failed to fetch dynamically imported module');
      return importOriginal();
    });
    const { button } = await renderProfileMenu();
    fireEvent.keyDown(button, { key: 'Enter' });
    await waitFor(() => expect(attempts).toBe(1));
    expect(screen.getByRole('button', { name: 'Profile menu: ada' })).toBe(button);
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();

    fireEvent.keyDown(button, { key: 'Enter' });
    const menu = await screen.findByRole('menu');
    await waitFor(() =>
      expect(within(menu).getByRole('menuitem', { name: 'Get started' })).toHaveFocus(),
    );
    expect(attempts).toBe(2);
  });
});
