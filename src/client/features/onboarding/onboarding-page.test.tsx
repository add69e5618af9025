import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { FileWarning } from '../../../api/ssh-keys.ts';
import { decodePrivateKey } from '../../../openssh/private-key.ts';
import { sshKeygenPublicFromPrivate } from '../../../testing/ssh-keygen.ts';
import { renderApp } from '../../test/render-app.tsx';
import { ONBOARDING_STORAGE_KEY } from './flow-storage.ts';
import { SEQERA_NAME_PATTERN } from './seqera.ts';
import { createHandlers } from '../../../mocks/handlers.ts';
import { createMemoryKeyStore } from '../../../server/store/memory-key-store.ts';
import {
  clipboardAfter,
  generateThroughFlow,
  setupOnboardingServer,
} from './onboarding-test-server.ts';

const { state } = setupOnboardingServer(
  () => createMemoryKeyStore('', { path: '/home/ada/.ssh/authorized_keys' }),
  createHandlers,
);

const modeWarning: FileWarning = {
  code: 'home-mode',
  message: '/home/ada is writable by group or others: sshd (StrictModes) ignores your keys.',
  fix: 'chmod go-w /home/ada',
};

function copyButton(name: string) {
  return screen.getByRole('button', { name });
}

describe('onboarding: ways in', () => {
  it('the profile menu offers "Get started"', async () => {
    const { user, location } = renderApp('/ssh-keys');
    await user.click(await screen.findByRole('button', { name: 'Profile menu: ada' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Get started' }));
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Get started with Seqera Platform' }),
    ).toBeInTheDocument();
    expect(location.history.at(-1)).toBe('/get-started');
  });

  it('the empty SSH Keys page offers "Get started"', async () => {
    const { user, location } = renderApp('/ssh-keys');
    await screen.findByText('No SSH keys found');
    await user.click(screen.getByRole('link', { name: 'Get started' }));
    expect(location.history.at(-1)).toBe('/get-started');
    expect(screen.getByRole('heading', { name: 'Step 1 of 5: What will happen' })).toBeVisible();
  });
});

describe('onboarding: steps 1 and 2', () => {
  it('says in two sentences what will happen', async () => {
    renderApp('/get-started');
    const step = screen.getByRole('heading', { name: 'Step 1 of 5: What will happen' });
    // Where the key goes is known once the list has loaded.
    await waitFor(() =>
      expect(step.parentElement).toHaveTextContent(
        'Keysmith makes a new SSH key in this browser and adds its public half to your ~/.ssh/authorized_keys, so it can log in as you. You then paste its private half into a Seqera Platform SSH credential',
      ),
    );
    expect(screen.getByRole('list', { name: 'Steps' })).toHaveTextContent(
      /What will happen.*Generate a key for Seqera.*Add it to Seqera Platform.*Check the key.*Done/,
    );
  });

  it('presets the name seqera-<user>, 90 days, restricted access, and recommends a passphrase', async () => {
    const { user } = renderApp('/get-started');
    await user.click(screen.getByRole('button', { name: 'Begin' }));
    const form = await screen.findByRole('form', { name: 'Generate a key for Seqera' });
    expect(screen.getByRole('heading', { name: /Step 2 of 5/ })).toHaveFocus();
    await waitFor(() => expect(within(form).getByLabelText('Name')).toHaveValue('seqera-ada'));
    expect(form).toHaveTextContent(/Expires: in 90 days, on \d{4}-\d{2}-\d{2}\. sshd itself/);
    // Access is fixed: no choice offered, the reason said.
    expect(within(form).queryByRole('radio')).not.toBeInTheDocument();
    expect(form).toHaveTextContent('Access: Restricted');
    expect(within(form).getByLabelText('Passphrase')).toHaveAccessibleDescription(
      /^Recommended\. It encrypts the private key, so a copy that leaks .* cannot log in without it\./,
    );
  });

  it('suggests another name when seqera-<user> is already in the file', async () => {
    await state.store.add(
      { publicKey: sshKeyLine(), name: 'seqera-ada', access: 'restricted' },
      new Date(),
    );
    const { user } = renderApp('/get-started');
    await user.click(screen.getByRole('button', { name: 'Begin' }));
    const form = await screen.findByRole('form', { name: 'Generate a key for Seqera' });
    await waitFor(() => expect(within(form).getByLabelText('Name')).toHaveValue('seqera-ada-2'));
  });

  it('refuses a name Seqera would refuse and mismatched passphrases; sends nothing', async () => {
    const { user } = renderApp('/get-started');
    await user.click(screen.getByRole('button', { name: 'Begin' }));
    const form = await screen.findByRole('form', { name: 'Generate a key for Seqera' });
    const name = within(form).getByLabelText('Name');
    await waitFor(() => expect(name).toHaveValue('seqera-ada'));
    await user.clear(name);
    await user.type(name, 'seqera ada!');
    await user.type(within(form).getByLabelText('Passphrase'), 'one');
    await user.type(within(form).getByLabelText('Confirm passphrase'), 'two');
    await user.click(within(form).getByRole('button', { name: 'Generate Key' }));

    expect(name).toBeInvalid();
    expect(name).toHaveAccessibleDescription(/so the name also works as a Seqera credential name/);
    expect(within(form).getByLabelText('Confirm passphrase')).toHaveAccessibleDescription(
      'The passphrases do not match. Type the same passphrase twice.',
    );
    await user.clear(name);
    await user.click(within(form).getByRole('button', { name: 'Generate Key' }));
    expect(name).toHaveAccessibleDescription(/Enter a name for the key\./);
    expect(state.sent.filter((request) => request.method !== 'GET')).toEqual([]);
    expect(screen.getByRole('heading', { name: /Step 2 of 5/ })).toBeInTheDocument();
  });
});

describe('onboarding: the whole flow', () => {
  it('with a passphrase: every Seqera field copies exactly, nothing secret leaves the page', async () => {
    const passphrase = 'Seqera pässphrase "1"';
    const { user } = await generateThroughFlow(passphrase);

    // The public key is in the file, restricted and expiring, named after the flow.
    expect(state.store.text()).toMatch(
      /^# keysmith name=seqera-ada added=\S+\nrestrict,expiry-time="\d{8}\S*" ssh-ed25519 \S+ seqera-ada\n$/,
    );
    const [listed] = (await state.store.list()).keys;
    if (!listed) throw new Error('no key in the store');

    expect(await clipboardAfter(() => user.click(copyButton('Copy Name')))).toBe('seqera-ada');
    expect(screen.getByText(/Matches Seqera’s rule/)).toBeInTheDocument();
    expect(await clipboardAfter(() => user.click(copyButton('Copy Provider')))).toBe('SSH');

    const privateKey = await clipboardAfter(() =>
      user.click(screen.getByRole('button', { name: 'Copy SSH private key' })),
    );
    expect(privateKey).toMatch(
      /^-----BEGIN OPENSSH PRIVATE KEY-----\n[\s\S]+\n-----END OPENSSH PRIVATE KEY-----\n$/,
    );
    const decoded = await decodePrivateKey(privateKey, { passphrase });
    expect(decoded.encrypted).toBe(true);
    expect(decoded.comment).toBe('seqera-ada');
    // The real ssh-keygen derives, from the copied key and passphrase, the key in the file.
    expect(sshKeygenPublicFromPrivate(privateKey, passphrase)).toBe(listed.publicKey);
    // The screen shows only a preview of it.
    expect(document.body.textContent).not.toContain(privateKey.split('\n')[1]);

    expect(await clipboardAfter(() => user.click(copyButton('Copy Passphrase')))).toBe(passphrase);
    expect(document.body.textContent).not.toContain(passphrase);
    expect(await clipboardAfter(() => user.click(copyButton('Copy Linux user name')))).toBe('ada');

    // The tw command and the API body are folded away below Seqera's form.
    const otherWays = screen.getByText(/^Other ways to add it/);
    expect(otherWays.closest('details')).not.toHaveAttribute('open');
    await user.click(otherWays);
    expect(otherWays.closest('details')).toHaveAttribute('open');
    expect(screen.getByLabelText('tw command')).toHaveTextContent(
      'tw credentials add ssh -n seqera-ada -k ~/.ssh/seqera-ada -p',
    );
    expect(await clipboardAfter(() => user.click(copyButton('Copy tw command')))).toBe(
      'tw credentials add ssh -n seqera-ada -k ~/.ssh/seqera-ada -p',
    );

    const json = await clipboardAfter(() =>
      user.click(screen.getByRole('button', { name: 'Copy JSON body' })),
    );
    expect(JSON.parse(json)).toEqual({
      credentials: {
        name: 'seqera-ada',
        provider: 'ssh',
        keys: { privateKey, passphrase },
      },
    });
    expect((JSON.parse(json) as { credentials: { name: string } }).credentials.name).toMatch(
      SEQERA_NAME_PATTERN,
    );

    // Step 6: storage keeps the step and the key's identity, nothing more.
    const saved = sessionStorage.getItem(ONBOARDING_STORAGE_KEY) ?? '';
    expect(JSON.parse(saved)).toEqual({
      step: 'copy',
      key: { name: 'seqera-ada', fingerprint: listed.fingerprint, encrypted: true },
      renews: null,
    });

    await user.click(screen.getByRole('button', { name: 'I have added it to Seqera' }));
    expect(
      await screen.findByRole('heading', { name: 'Step 4 of 5: Check the key' }),
    ).toHaveFocus();
    const card = await screen.findByRole('listitem', { name: 'seqera-ada' });
    expect(card).toHaveTextContent(listed.fingerprint);
    expect(card).toHaveTextContent('Restricted');
    expect(within(card).queryByRole('button', { name: /Delete/ })).not.toBeInTheDocument();
    expect(screen.getByLabelText('What ssh-add -l prints')).toHaveTextContent(
      `256 ${listed.fingerprint} seqera-ada (ED25519)`,
    );
    expect(screen.getByText(/Accepted publickey for ada from … ssh2: ED25519/)).toHaveTextContent(
      listed.fingerprint,
    );
    // Step 3 is over: the private key is no longer anywhere in the page.
    expect(screen.queryByRole('button', { name: 'Copy SSH private key' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Finish' }));
    expect(await screen.findByRole('heading', { name: 'Step 5 of 5: Done' })).toBeInTheDocument();
    const done = screen.getByRole('heading', { name: /Step 5 of 5/ }).parentElement;
    expect(done).toHaveTextContent(
      'The key seqera-ada is in /home/ada/.ssh/authorized_keys on this host, restricted to commands, and sshd accepts the file.',
    );
    expect(done).not.toHaveTextContent(/can now log in|logged in|Waiting for the first login/);

    // Only GETs and the one POST of the public key went to our server: never the private
    // key, the passphrase or the JSON built for Seqera.
    const bodies = state.sent.filter((request) => request.method !== 'GET');
    expect(bodies.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /api/ssh-keys',
    ]);
    expect(Object.keys(JSON.parse(bodies[0]?.body ?? '{}') as object).sort()).toEqual([
      'access',
      'expiresAt',
      'name',
      'publicKey',
    ]);
    for (const request of state.sent) {
      expect(request.path.startsWith('/api/')).toBe(true);
      expect(request.body).not.toContain('PRIVATE KEY');
      expect(request.body).not.toContain(privateKey.split('\n')[1]);
      expect(request.body).not.toContain('pässphrase');
      expect(request.body).not.toContain('credentials');
    }
    for (let index = 0; index < sessionStorage.length; index += 1) {
      const value = sessionStorage.getItem(sessionStorage.key(index) ?? '') ?? '';
      expect(value).not.toContain('PRIVATE KEY');
      expect(value).not.toContain(passphrase);
    }
  });

  it('without a passphrase: "leave blank", no -p, and no passphrase in the JSON', async () => {
    const { user } = await generateThroughFlow('');
    const passphraseField = screen.getByText('Passphrase', { selector: 'dt' }).parentElement;
    expect(passphraseField).toHaveTextContent('Leave blank: this key has no passphrase.');
    expect(screen.queryByRole('button', { name: 'Copy Passphrase' })).not.toBeInTheDocument();
    expect(await clipboardAfter(() => user.click(copyButton('Copy tw command')))).toBe(
      'tw credentials add ssh -n seqera-ada -k ~/.ssh/seqera-ada',
    );
    const privateKey = await clipboardAfter(() =>
      user.click(screen.getByRole('button', { name: 'Copy SSH private key' })),
    );
    expect((await decodePrivateKey(privateKey)).encrypted).toBe(false);
    const json = await clipboardAfter(() =>
      user.click(screen.getByRole('button', { name: 'Copy JSON body' })),
    );
    expect(JSON.parse(json)).toEqual({
      credentials: { name: 'seqera-ada', provider: 'ssh', keys: { privateKey } },
    });
  });

  it('asks before leaving step 3 when the private key was neither copied nor downloaded', async () => {
    const { user } = await generateThroughFlow('');
    // Closing or reloading the tab: the browser's own prompt, until the key is saved somewhere.
    const leave = () => {
      const event = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(leave()).toBe(true);
    await user.click(screen.getByRole('button', { name: 'I have added it to Seqera' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Continue without the private key?' });
    await user.click(within(confirm).getByRole('button', { name: 'Go back' }));
    expect(screen.getByRole('heading', { name: /Step 3 of 5/ })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'I have added it to Seqera' }));
    await user.click(screen.getByRole('button', { name: 'Continue anyway' }));
    expect(await screen.findByRole('heading', { name: /Step 4 of 5/ })).toBeInTheDocument();
    expect(leave()).toBe(false);
  });

  it('lets the tab close without asking once the private key is copied', async () => {
    const { user } = await generateThroughFlow('');
    await user.click(screen.getByRole('button', { name: 'Copy SSH private key' }));
    const event = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(false);
  });
});

describe('onboarding: step 5, sshd would ignore the file', () => {
  it('stops with the fix, and continues once "Check again" finds it fixed', async () => {
    const { user } = await generateThroughFlow('');
    await user.click(screen.getByRole('button', { name: 'Copy SSH private key' }));
    state.warnings = [modeWarning];
    await user.click(screen.getByRole('button', { name: 'I have added it to Seqera' }));

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Stop here: sshd ignores your authorized_keys, so Seqera cannot log in yet.',
    );
    const fix = screen.getByRole('region', {
      name: 'sshd will ignore /home/ada/.ssh/authorized_keys',
    });
    expect(fix).toHaveTextContent(modeWarning.message);
    expect(fix).toHaveTextContent('Fix: chmod go-w /home/ada');
    expect(screen.queryByRole('button', { name: 'Finish' })).not.toBeInTheDocument();

    // Still broken: checking again keeps the stop.
    await user.click(screen.getByRole('button', { name: 'Check again' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Check again' })).toBeEnabled());
    expect(screen.queryByRole('button', { name: 'Finish' })).not.toBeInTheDocument();

    state.warnings = [];
    await user.click(screen.getByRole('button', { name: 'Check again' }));
    await user.click(await screen.findByRole('button', { name: 'Finish' }));
    expect(await screen.findByRole('heading', { name: /Step 5 of 5: Done/ })).toBeInTheDocument();
  });

  it('says so when the key was deleted elsewhere', async () => {
    const { user } = await generateThroughFlow('');
    await user.click(screen.getByRole('button', { name: 'Copy SSH private key' }));
    const [listed] = (await state.store.list()).keys;
    await state.store.remove(listed?.fingerprint ?? '');
    await user.click(screen.getByRole('button', { name: 'I have added it to Seqera' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      /The key seqera-ada \(SHA256:\S+\) is no longer in \/home\/ada\/\.ssh\/authorized_keys/,
    );
  });
});

/** A fresh ed25519 public key line, for a key already in the file. */
function sshKeyLine(): string {
  return 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO3Ewi0XK1WR5lqkzT8O0V8Nxc4E6MlUlS9mQW0dTRkY other';
}
