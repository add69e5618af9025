import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createHandlers } from '../../../mocks/handlers.ts';
import { createMemoryKeyStore } from '../../../server/store/memory-key-store.ts';
import { renderApp } from '../../test/render-app.tsx';
import { generateThroughFlow, setupOnboardingServer } from './onboarding-test-server.ts';

// Keys in the site's directory (--store ldap): the list names the entry and SSSD's cache time.
const ENTRY = 'uid=ada,ou=people,dc=example,dc=org (sshPublicKey)';
const { state } = setupOnboardingServer(
  () => createMemoryKeyStore('', { path: ENTRY, directoryCacheMinutes: 90 }),
  createHandlers,
);

describe('onboarding with keys in the directory', () => {
  it('names the directory entry, not authorized_keys, and when every host accepts the key', async () => {
    const { user } = await generateThroughFlow('');
    await user.click(screen.getByRole('button', { name: 'Copy SSH private key' }));
    await user.click(screen.getByRole('button', { name: 'I have added it to Seqera' }));
    const finish = await screen.findByRole('button', { name: 'Finish' });
    const check = screen.getByRole('heading', { name: /Step 4 of 5/ }).parentElement;
    expect(check).toHaveTextContent(
      "The key for Seqera is in your entry in the site's directory. Its fingerprint identifies it:",
    );
    expect(check).not.toHaveTextContent('authorized_keys');
    await user.click(finish);

    const done = (await screen.findByRole('heading', { name: /Step 5 of 5: Done/ })).parentElement;
    expect(done).toHaveTextContent(
      `The key seqera-ada is in your entry in the site's directory (${ENTRY}), restricted to commands: SSSD hands it to sshd on every host. Hosts that fetched your keys before may take up to 90 minutes to accept it, until SSSD's cache expires.`,
    );
    expect(done).not.toHaveTextContent(/authorized_keys|sshd accepts the file/);
  });

  it('says the old key of a renewal stops logging in within the cache time, not at once', async () => {
    const old = await state.store.add(
      {
        publicKey:
          'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO3Ewi0XK1WR5lqkzT8O0V8Nxc4E6MlUlS9mQW0dTRkY seqera-ada',
        name: 'seqera-ada',
        access: 'restricted',
        expiresAt: new Date(Date.now() + 10 * 24 * 60 * 60 * 1000).toISOString(),
      },
      new Date(),
    );
    const { user } = renderApp('/get-started');
    await user.click(await screen.findByRole('button', { name: 'Renew seqera-ada' }));
    await user.click(await screen.findByRole('button', { name: 'Generate Key' }));
    await screen.findByRole('heading', { name: /Step 3 of 5/ });
    await user.click(screen.getByRole('button', { name: 'Copy SSH private key' }));
    await user.click(screen.getByRole('button', { name: 'I have updated it in Seqera' }));
    await user.click(await screen.findByRole('button', { name: 'Finish' }));

    await user.click(await screen.findByRole('button', { name: 'Remove the old key' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Remove the old key?' });
    expect(dialog).toHaveTextContent(
      `This removes the old key seqera-ada (${old.fingerprint}) from your entry in the site's directory. Do it once Seqera has the new key: anything still holding the old one stops logging in on every host within 90 minutes, when SSSD's cache expires; your administrator can make it sooner.`,
    );
    await user.click(within(dialog).getByRole('button', { name: 'Remove the old key' }));
    expect(
      await screen.findByText(
        "The old key seqera-ada is no longer in your entry in the site's directory: it stops logging in on every host within 90 minutes, when SSSD's cache expires; your administrator can make it sooner.",
      ),
    ).toBeInTheDocument();
  });
});
