import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../../test/render-app.tsx';
import { ONBOARDING_STORAGE_KEY } from './flow-storage.ts';
import { createHandlers } from '../../../mocks/handlers.ts';
import { createMemoryKeyStore } from '../../../server/store/memory-key-store.ts';
import { generateThroughFlow, setupOnboardingServer } from './onboarding-test-server.ts';

const { state } = setupOnboardingServer(
  () => createMemoryKeyStore('', { path: '/home/ada/.ssh/authorized_keys' }),
  createHandlers,
);

describe('onboarding: step 6, reload', () => {
  it('after a reload on step 3 says the private key is gone; "Start over" asks, then deletes the key', async () => {
    const first = await generateThroughFlow('secret words');
    const [listed] = (await state.store.list()).keys;
    first.unmount();

    const { user } = renderApp('/get-started');
    expect(screen.getByRole('heading', { name: /Step 3 of 5/ })).toBeInTheDocument();
    expect(screen.getByText(/^The private key is gone\./).parentElement).toHaveTextContent(
      'The private key is gone. This page was reloaded (or left) after the key seqera-ada was made. Keysmith never stores a private key, not even in this browser, so it was lost with the page: this is by design, not a fault.',
    );
    expect(screen.queryByRole('button', { name: 'Copy SSH private key' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Start over with a new key' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Start over?' });
    expect(confirm).toHaveTextContent(listed?.fingerprint ?? 'none');
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(state.store.text()).toContain('seqera-ada');

    // One way to start over at a time: the notice's own, not a second button below it.
    expect(screen.getAllByRole('button', { name: /Start over/ })).toHaveLength(1);
    await user.click(screen.getByRole('button', { name: 'Start over with a new key' }));
    await user.click(
      within(screen.getByRole('alertdialog', { name: 'Start over?' })).getByRole('button', {
        name: 'Remove key and start over',
      }),
    );
    expect(
      await screen.findByRole('heading', { name: 'Step 1 of 5: What will happen' }),
    ).toBeInTheDocument();
    expect(state.store.text()).toBe('');
    expect(sessionStorage.getItem(ONBOARDING_STORAGE_KEY)).toBeNull();
    expect(state.sent.filter((request) => request.method === 'DELETE')).toHaveLength(1);
  });

  it('after a reload on step 3, "I already pasted it" goes on to the check, which needs no key', async () => {
    const first = await generateThroughFlow('');
    first.unmount();
    const { user } = renderApp('/get-started');
    await user.click(screen.getByRole('button', { name: 'I already pasted it into Seqera' }));
    expect(await screen.findByRole('listitem', { name: 'seqera-ada' })).toBeInTheDocument();
    expect(
      screen.getByText(/This page was reloaded: the private key is no longer here, by design\./),
    ).toHaveAttribute('role', 'note');
  });

  it('"Start over" when the key is already gone still starts over', async () => {
    const first = await generateThroughFlow('');
    first.unmount();
    await state.store.remove((await state.store.list()).keys[0]?.fingerprint ?? '');
    const { user } = renderApp('/get-started');
    await user.click(screen.getByRole('button', { name: 'Start over with a new key' }));
    await user.click(screen.getByRole('button', { name: 'Remove key and start over' }));
    expect(await screen.findByRole('heading', { name: /Step 1 of 5/ })).toBeInTheDocument();
  });

  it('"Start over" after Finish keeps the key: the flow finished with it', async () => {
    const { user } = await generateThroughFlow('');
    await user.click(screen.getByRole('button', { name: 'Copy SSH private key' }));
    await user.click(screen.getByRole('button', { name: 'I have added it to Seqera' }));
    await user.click(await screen.findByRole('button', { name: 'Finish' }));
    await user.click(screen.getByRole('button', { name: 'Start over' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(await screen.findByRole('heading', { name: /Step 1 of 5/ })).toBeInTheDocument();
    expect(state.store.text()).toContain('seqera-ada');
    expect(state.sent.filter((request) => request.method === 'DELETE')).toEqual([]);
  });

  it('ignores a saved entry that is not its own (edited or from another version)', () => {
    for (const raw of [
      'not json',
      JSON.stringify({ step: 'copy', key: null }),
      JSON.stringify({ step: 'warp', key: null }),
      JSON.stringify({
        step: 'copy',
        key: { name: 'x', fingerprint: 'SHA256:short', encrypted: false },
      }),
      JSON.stringify({
        step: 'check',
        key: { name: 'x', fingerprint: `SHA256:${'A'.repeat(43)}`, encrypted: false },
        privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----',
      }),
    ]) {
      sessionStorage.setItem(ONBOARDING_STORAGE_KEY, raw);
      const { unmount } = renderApp('/get-started');
      expect(screen.getByRole('heading', { name: /Step 1 of 5/ })).toBeInTheDocument();
      unmount();
    }
  });
});
