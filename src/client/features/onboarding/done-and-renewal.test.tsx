import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NO_POLICY } from '../../../api/policy.ts';
import { createHandlers } from '../../../mocks/handlers.ts';
import { createMemoryKeyStore } from '../../../server/store/memory-key-store.ts';
import { renderApp } from '../../test/render-app.tsx';
import {
  deleteFailsDiskFull,
  generateThroughFlow,
  setupOnboardingServer,
} from './onboarding-test-server.ts';

const { server, state } = setupOnboardingServer(
  () => createMemoryKeyStore('', { path: '/home/ada/.ssh/authorized_keys' }),
  createHandlers,
);

afterEach(() => {
  vi.useRealTimers();
});

const DAY_MS = 24 * 60 * 60 * 1000;

/** From step 3 (key copied) through the check to the last step. */
async function finish(user: Awaited<ReturnType<typeof generateThroughFlow>>['user']) {
  await user.click(screen.getByRole('button', { name: 'Copy SSH private key' }));
  await user.click(
    screen.getByRole('button', { name: /^I have (added it to|updated it in) Seqera/ }),
  );
  await user.click(await screen.findByRole('button', { name: 'Finish' }));
  return (await screen.findByRole('heading', { name: /Step 5 of 5: Done/ })).parentElement;
}

async function addSeqeraKey(expiresAt: Date) {
  const line =
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO3Ewi0XK1WR5lqkzT8O0V8Nxc4E6MlUlS9mQW0dTRkY seqera-ada';
  const key = await state.store.add(
    {
      publicKey: line,
      name: 'seqera-ada',
      access: 'restricted',
      expiresAt: expiresAt.toISOString(),
    },
    new Date(Date.now() - 80 * DAY_MS),
  );
  return key.fingerprint;
}

describe('onboarding: the last step says what is true', () => {
  it('the key is in authorized_keys, and what Seqera still needs; nothing about logins untracked', async () => {
    const { user } = await generateThroughFlow('');
    const done = await finish(user);
    expect(done).toHaveTextContent(
      'The key seqera-ada is in /home/ada/.ssh/authorized_keys on this host, restricted to commands, and sshd accepts the file.',
    );
    const needs = screen.getByText('What you still set in Seqera').nextElementSibling
      ?.nextElementSibling;
    expect(needs).toHaveTextContent(/Credentials\s*seqera-ada/);
    expect(needs).toHaveTextContent(/Host name\s*This cluster's login node/);
    expect(needs).toHaveTextContent(/User name\s*ada/);
    expect(needs).toHaveTextContent(
      /Work directory\s*A directory on the cluster's shared file system/,
    );
    expect(done).toHaveTextContent(
      /The key stops working on \d{4}-\d{2}-\d{2} \(sshd refuses it after that\)\. Before then, open Get started again: it offers to renew the key/,
    );
    expect(done).not.toHaveTextContent(/can now log in|logged in|Waiting/);
  });

  it('with last use tracked: waits for the first login, polling the list, and names it when it comes', async () => {
    state.tracked = true;
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { user } = await generateThroughFlow('');
    const done = await finish(user);
    expect(within(done as HTMLElement).getByText(/^Waiting for the first login/)).toHaveTextContent(
      'Waiting for the first login with this key: run a pipeline in Seqera with this credential. This page checks every 5 seconds.',
    );
    const [key] = (await state.store.list()).keys;
    const at = new Date();
    at.setHours(10, 42, 0, 0);
    state.lastUse.set(key?.fingerprint ?? '', {
      lastUsedAt: at.toISOString(),
      lastUsedFrom: '1.2.3.4',
    });
    const lists = () => state.sent.filter((r) => r.method === 'GET' && r.path === '/api/ssh-keys');
    const before = lists().length;
    await act(() => vi.advanceTimersByTimeAsync(5000));
    expect(await within(done as HTMLElement).findByText(/^Seqera logged in/)).toHaveTextContent(
      'Seqera logged in with this key at 10:42 from 1.2.3.4.',
    );
    expect(lists().length).toBe(before + 1);
    // Seen: no more polling.
    await act(() => vi.advanceTimersByTimeAsync(15_000));
    expect(lists().length).toBe(before + 1);
  });
});

describe('onboarding: renewing a Seqera key', () => {
  it('offers to renew; the new key keeps the name; Seqera is edited; the old key goes only when asked', async () => {
    const oldFingerprint = await addSeqeraKey(new Date(Date.now() + 10 * DAY_MS));
    const { user } = renderApp('/get-started');
    const offer = await screen.findByRole('region', { name: 'Renew your Seqera key' });
    expect(offer).toHaveTextContent(/seqera-ada \(expires \d{4}-\d{2}-\d{2}\)/);
    await user.click(within(offer).getByRole('button', { name: 'Renew seqera-ada' }));

    const form = await screen.findByRole('form', { name: 'Generate a key for Seqera' });
    expect(
      screen.getByRole('heading', { name: /Step 2 of 5: .* \(renewing seqera-ada\)/ }),
    ).toBeInTheDocument();
    expect(within(form).queryByLabelText('Name')).not.toBeInTheDocument();
    expect(form).toHaveTextContent('A new key for the credential seqera-ada, under the same name');
    await user.click(within(form).getByRole('button', { name: 'Generate Key' }));

    await screen.findByRole('heading', { name: /Step 3 of 5/ });
    const step = screen.getByRole('heading', { name: /Step 3 of 5/ }).parentElement;
    expect(step).toHaveTextContent(
      /find seqera-ada and select Edit\. Paste the new private key below over the old ones and save\. Keep the name.*Do not add a second credential\./,
    );
    expect(step).not.toHaveTextContent(/Other ways to add it|send it to Seqera/);
    const listed = (await state.store.list()).keys;
    expect(listed.map((key) => key.name)).toEqual(['seqera-ada', 'seqera-ada']);
    const newFingerprint = listed.find((key) => key.fingerprint !== oldFingerprint)?.fingerprint;

    const done = await finish(user);
    expect(done).toHaveTextContent('nothing else to change in Seqera');
    expect(done).toHaveTextContent(`The old key seqera-ada (${oldFingerprint}) still logs in.`);
    await user.click(screen.getByRole('button', { name: 'Remove the old key' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Remove the old key?' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect((await state.store.list()).keys).toHaveLength(2);

    await user.click(screen.getByRole('button', { name: 'Remove the old key' }));
    await user.click(
      within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Remove the old key' }),
    );
    expect(
      await screen.findByText(
        'The old key seqera-ada is no longer in your ~/.ssh/authorized_keys: only the new one logs in.',
      ),
    ).toBeInTheDocument();
    expect((await state.store.list()).keys.map((key) => key.fingerprint)).toEqual([newFingerprint]);
  });

  it('a failed removal of the old key leaves both keys and says so', async () => {
    await addSeqeraKey(new Date(Date.now() + 10 * DAY_MS));
    const { user } = renderApp('/get-started');
    await user.click(await screen.findByRole('button', { name: 'Renew seqera-ada' }));
    await user.click(await screen.findByRole('button', { name: 'Generate Key' }));
    await screen.findByRole('heading', { name: /Step 3 of 5/ });
    await finish(user);
    server.use(deleteFailsDiskFull);
    await user.click(screen.getByRole('button', { name: 'Remove the old key' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Remove the old key?' });
    await user.click(within(dialog).getByRole('button', { name: 'Remove the old key' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'The key is still in your ~/.ssh/authorized_keys: The disk is full',
    );
    expect((await state.store.list()).keys).toHaveLength(2);
  });

  it('"Start over" during a renewal removes only the new key', async () => {
    const oldFingerprint = await addSeqeraKey(new Date(Date.now() - DAY_MS));
    const { user } = renderApp('/get-started');
    expect(await screen.findByRole('region', { name: 'Renew your Seqera key' })).toHaveTextContent(
      /seqera-ada \(expired \d{4}-\d{2}-\d{2}\)/,
    );
    await user.click(screen.getByRole('button', { name: 'Renew seqera-ada' }));
    await user.click(await screen.findByRole('button', { name: 'Generate Key' }));
    await screen.findByRole('heading', { name: /Step 3 of 5/ });
    await user.click(screen.getByRole('button', { name: 'Start over' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Start over?' });
    expect(dialog).toHaveTextContent('The old key seqera-ada stays.');
    await user.click(within(dialog).getByRole('button', { name: 'Remove key and start over' }));
    await screen.findByRole('heading', { name: /Step 1 of 5/ });
    expect((await state.store.list()).keys.map((key) => key.fingerprint)).toEqual([oldFingerprint]);
  });
});

describe("onboarding: the site's policy", () => {
  it('a shorter maximum lifetime sets the expiry; a required passphrase is asked for', async () => {
    state.policy = { ...NO_POLICY, maxLifetimeDays: 45, requirePassphrase: true };
    const { user } = renderApp('/get-started');
    await user.click(screen.getByRole('button', { name: 'Begin' }));
    const form = await screen.findByRole('form', { name: 'Generate a key for Seqera' });
    expect(form).toHaveTextContent(
      /Expires: in 45 days, on \d{4}-\d{2}-\d{2} \(the longest this site allows\)\./,
    );
    expect(within(form).getByLabelText('Passphrase')).toHaveAccessibleDescription(
      /^Required here \(this site’s policy\)\./,
    );
    await user.click(within(form).getByRole('button', { name: 'Generate Key' }));
    expect(within(form).getByRole('alert')).toHaveTextContent(
      'This site requires a passphrase on every key: type one, twice.',
    );
    expect(state.sent.filter((request) => request.method === 'POST')).toEqual([]);

    await user.type(within(form).getByLabelText('Passphrase'), 'long enough words');
    await user.type(within(form).getByLabelText('Confirm passphrase'), 'long enough words');
    await user.click(within(form).getByRole('button', { name: 'Generate Key' }));
    await screen.findByRole('heading', { name: /Step 3 of 5/ });
    const [key] = (await state.store.list()).keys;
    const lifetime = new Date(key?.expiresAt ?? 0).getTime() - Date.now();
    expect(lifetime).toBeLessThanOrEqual(45 * DAY_MS);
    expect(lifetime).toBeGreaterThan(44 * DAY_MS);
    expect(key?.expiresAt).not.toBeNull();
  });

  it('says so, and generates nothing, when the policy would refuse a key for Seqera', async () => {
    state.policy = { ...NO_POLICY, allowedAccess: ['interactive'] };
    const { user } = renderApp('/get-started');
    await user.click(screen.getByRole('button', { name: 'Begin' }));
    const form = await screen.findByRole('form', { name: 'Generate a key for Seqera' });
    await waitFor(() =>
      expect(within(form).getByRole('alert')).toHaveTextContent(
        /^This site's policy would refuse a key for Seqera:\s*Access "restricted" is not allowed here: choose interactive\.\s*Ask your administrator/,
      ),
    );
    expect(within(form).getByRole('button', { name: 'Generate Key' })).toBeDisabled();
  });
});
