import { screen, waitFor, within } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../../../mocks/handlers.ts';
import {
  createMemoryKeyStore,
  type MemoryKeyStore,
} from '../../../server/store/memory-key-store.ts';
import { sshKeygen } from '../../../testing/ssh-keygen.ts';
import { renderApp } from '../../test/render-app.tsx';

const server = setupServer();
let store: MemoryKeyStore;
beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
beforeEach(() => {
  store = createMemoryKeyStore('');
  server.resetHandlers(...createHandlers(store));
});
afterAll(() => server.close());

const first = sshKeygen('ed25519', 'first');
const second = sshKeygen('ed25519', 'second');
const third = sshKeygen('ed25519', 'third');

async function addKeys(...keys: { publicKey: string }[]) {
  for (const [index, key] of keys.entries()) {
    await store.add(
      { publicKey: key.publicKey, name: `key-${index + 1}`, access: 'restricted' },
      new Date(),
    );
  }
}

function liveRegion(): HTMLElement {
  const region = document.querySelector<HTMLElement>('[aria-live="polite"]');
  if (region === null) throw new Error('no live region');
  return region;
}

describe('focus on the SSH Keys page', () => {
  it('announces an imported key and moves focus to its row', async () => {
    await addKeys(first);
    const { user } = renderApp();
    await user.click(await screen.findByRole('button', { name: 'Import Key' }));
    const dialog = await screen.findByRole('dialog', { name: 'Import Key' });
    await user.click(within(dialog).getByLabelText('Public key'));
    await user.paste(second.publicKey);
    await user.click(within(dialog).getByRole('button', { name: 'Add Key' }));

    await waitFor(() => expect(screen.getByRole('button', { name: 'second' })).toHaveFocus());
    expect(liveRegion()).toHaveTextContent('Key added: second.');
  });

  it('after a delete, focuses the next key, then the one before, then the heading', async () => {
    await addKeys(first, second, third);
    const { user } = renderApp();

    await user.click(await screen.findByRole('button', { name: 'Delete key-2' }));
    await user.click(await screen.findByRole('button', { name: 'Delete Key' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'key-3' })).toHaveFocus());
    expect(liveRegion()).toHaveTextContent('Key deleted.');

    await user.click(screen.getByRole('button', { name: 'Delete key-3' }));
    await user.click(await screen.findByRole('button', { name: 'Delete Key' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'key-1' })).toHaveFocus());

    await user.click(screen.getByRole('button', { name: 'Delete key-1' }));
    await user.click(await screen.findByRole('button', { name: 'Delete Key' }));
    await waitFor(() =>
      expect(screen.getByRole('heading', { level: 1, name: 'SSH Keys' })).toHaveFocus(),
    );
  });

  it('returns focus to "+ New Key" after its key was discarded unsaved (and removed)', async () => {
    await addKeys(first);
    const { user } = renderApp();
    const newKey = await screen.findByRole('button', { name: '+ New Key' });
    await user.click(newKey);
    const dialog = await screen.findByRole('dialog', { name: 'Generate SSH Key' });
    await user.click(within(dialog).getByRole('button', { name: 'Generate Key' }));
    await screen.findByRole('dialog', { name: 'SSH Key Generated' });
    await user.keyboard('{Escape}');
    await user.click(await screen.findByRole('button', { name: 'Close without saving' }));
    await waitFor(() => expect(newKey).toHaveFocus());
    expect(liveRegion()).toHaveTextContent('');
  });

  it('returns focus to the Delete button after Cancel, and to Import Key after closing', async () => {
    await addKeys(first);
    const { user } = renderApp();
    const remove = await screen.findByRole('button', { name: 'Delete key-1' });
    await user.click(remove);
    await user.click(await screen.findByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(remove).toHaveFocus());

    const importKey = screen.getByRole('button', { name: 'Import Key' });
    await user.click(importKey);
    await screen.findByRole('dialog', { name: 'Import Key' });
    await user.keyboard('{Escape}');
    await waitFor(() => expect(importKey).toHaveFocus());
  });
});
