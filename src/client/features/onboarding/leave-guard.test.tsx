import { screen, waitFor, within } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../../test/render-app.tsx';
import { ONBOARDING_STORAGE_KEY } from './flow-storage.ts';
import { createHandlers } from '../../../mocks/handlers.ts';
import { createMemoryKeyStore } from '../../../server/store/memory-key-store.ts';
import {
  deleteFailsDiskFull,
  generateThroughFlow,
  setupOnboardingServer,
} from './onboarding-test-server.ts';

const { server, state } = setupOnboardingServer(
  () => createMemoryKeyStore('', { path: '/home/ada/.ssh/authorized_keys' }),
  createHandlers,
);

/** A hover loads the Radix menu, which replaces the stand-in button; then a click opens it. */
async function openProfileMenu(user: Awaited<ReturnType<typeof generateThroughFlow>>['user']) {
  await user.hover(screen.getByRole('button', { name: 'Profile menu: ada' }));
  await waitFor(() =>
    expect(screen.getByRole('button', { name: 'Profile menu: ada' })).toHaveAttribute('id'),
  );
  await user.click(screen.getByRole('button', { name: 'Profile menu: ada' }));
}

function leaveDialog() {
  return screen.getByRole('alertdialog', { name: 'Leave without the private key?' });
}

describe('onboarding: leaving step 3, where the private key is on screen', () => {
  it('the logo asks first; "Stay" keeps the key, the page and the address', async () => {
    const { user, location } = await generateThroughFlow('');
    await user.click(screen.getByRole('link', { name: 'Keysmith' }));
    const dialog = leaveDialog();
    expect(dialog).toHaveTextContent(
      'The private key of seqera-ada is only on this page, and leaving loses it.',
    );
    expect(within(dialog).getByRole('button', { name: 'Stay' })).toHaveFocus();
    await user.click(within(dialog).getByRole('button', { name: 'Stay' }));

    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(location.history.at(-1)).toBe('/get-started');
    expect(screen.getByRole('button', { name: 'Copy SSH private key' })).toBeInTheDocument();
    expect(state.store.text()).toContain('seqera-ada');
    expect(state.sent.filter((request) => request.method === 'DELETE')).toEqual([]);
  });

  it('the profile menu asks first; leaving removes the key from the file and forgets the flow', async () => {
    const { user, location } = await generateThroughFlow('');
    await openProfileMenu(user);
    await user.click(await screen.findByRole('menuitem', { name: 'SSH Keys' }));
    await user.click(within(leaveDialog()).getByRole('button', { name: 'Remove key and leave' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'SSH Keys' })).toBeInTheDocument();
    expect(location.history.at(-1)).toBe('/ssh-keys');
    expect(state.store.text()).toBe('');
    expect(sessionStorage.getItem(ONBOARDING_STORAGE_KEY)).toBeNull();
    expect(state.sent.filter((request) => request.method === 'DELETE')).toHaveLength(1);
  });

  it('"Get started" in the profile menu is this page: it does not ask', async () => {
    const { user, location } = await generateThroughFlow('');
    await openProfileMenu(user);
    await user.click(await screen.findByRole('menuitem', { name: 'Get started' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(location.history.at(-1)).toBe('/get-started');
    expect(screen.getByRole('button', { name: 'Copy SSH private key' })).toBeInTheDocument();
  });

  it('a failed removal stays, says why, and leaves the key in place', async () => {
    const { user, location } = await generateThroughFlow('');
    server.use(deleteFailsDiskFull);
    await user.click(screen.getByRole('link', { name: 'Keysmith' }));
    await user.click(within(leaveDialog()).getByRole('button', { name: 'Remove key and leave' }));

    expect(await within(leaveDialog()).findByRole('alert')).toHaveTextContent(
      'The key is still in your ~/.ssh/authorized_keys: The disk is full: free some space, then try again.',
    );
    expect(location.history.at(-1)).toBe('/get-started');
    expect(state.store.text()).toContain('seqera-ada');
  });

  it('leaving while the key is being made removes it once the server has added it', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Holds the add until the page is left, then hands it on to the app's own route.
    server.use(http.post('/api/ssh-keys', () => held.then(() => undefined)));
    const { user, location } = renderApp('/get-started');
    await user.click(screen.getByRole('button', { name: 'Begin' }));
    const form = await screen.findByRole('form', { name: 'Generate a key for Seqera' });
    await waitFor(() => expect(within(form).getByLabelText('Name')).toHaveValue('seqera-ada'));
    await user.click(within(form).getByRole('button', { name: 'Generate Key' }));
    await waitFor(() => expect(state.sent.some((request) => request.method === 'POST')).toBe(true));
    await user.click(screen.getByRole('link', { name: 'Keysmith' }));
    expect(location.history.at(-1)).toBe('/');
    release();
    await waitFor(() =>
      expect(state.sent.filter((request) => request.method === 'DELETE')).toHaveLength(1),
    );
    await waitFor(() => expect(state.store.text()).toBe(''));
  });

  it('after step 3 the way out is open: the key is in Seqera by then', async () => {
    const { user, location } = await generateThroughFlow('');
    await user.click(screen.getByRole('button', { name: 'Copy SSH private key' }));
    await user.click(screen.getByRole('button', { name: 'I have added it to Seqera' }));
    await screen.findByRole('heading', { name: /Step 4 of 5/ });
    await user.click(screen.getByRole('link', { name: 'Keysmith' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(location.history.at(-1)).toBe('/');
    expect(state.store.text()).toContain('seqera-ada');
  });
});
