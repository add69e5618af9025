import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sshKeygenPublicFromPrivate } from '../../../testing/ssh-keygen.ts';
import type { FileWarning } from '../../../api/ssh-keys.ts';
import { decodePrivateKey } from '../../../openssh/private-key.ts';
import { createHandlers } from '../../../mocks/handlers.ts';
import { createSeqeraModel } from '../../../mocks/seqera-handlers.ts';
import {
  createMemoryKeyStore,
  type MemoryKeyStore,
} from '../../../server/store/memory-key-store.ts';
import { renderApp } from '../../test/render-app.tsx';
import { ONBOARDING_STORAGE_KEY } from './flow-storage.ts';
import { OnboardingPage } from './lazy-onboarding-page.tsx';
import { SEQERA_NAME_PATTERN } from './seqera.ts';

const server = setupServer();
let store: MemoryKeyStore;
/** What the mock's file reports as making sshd ignore it; tests set and clear it. */
let warnings: FileWarning[];
/** Every request the page sent, as method, path and body text. */
let sent: { method: string; origin: string; path: string; body: string; authorization: string }[];

const modeWarning: FileWarning = {
  code: 'home-mode',
  message: '/home/ada is writable by group or others: sshd (StrictModes) ignores your keys.',
  fix: 'chmod go-w /home/ada',
};

// The page is a lazily loaded chunk (see lazy-onboarding-page.tsx); these tests are about the
// flow, so they start with it loaded, as after a hover of a "Get started" link.
beforeAll(async () => {
  // Awaited, not returned: vitest would call a returned function as the teardown.
  await OnboardingPage.preload();
});

beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  server.events.on('request:start', ({ request }) => {
    void request
      .clone()
      .text()
      .then((body) => {
        const url = new URL(request.url);
        sent.push({
          method: request.method,
          origin: url.origin,
          path: url.pathname,
          body,
          authorization: request.headers.get('Authorization') ?? '',
        });
      });
  });
});
beforeEach(() => {
  sessionStorage.clear();
  warnings = [];
  store = createMemoryKeyStore('', { path: '/home/ada/.ssh/authorized_keys' });
  // The same server routes, over a store whose list can also report StrictModes warnings.
  server.resetHandlers(
    ...createHandlers({
      ...store,
      list: async () => ({ ...(await store.list()), warnings }),
    }),
  );
  sent = [];
});
afterAll(() => server.close());

async function clipboardAfter(click: () => Promise<void>): Promise<string> {
  await click();
  return navigator.clipboard.readText();
}

/** Opens the flow, begins, and generates with `passphrase`; returns at step 3. */
async function generateThroughFlow(passphrase: string) {
  const app = renderApp('/get-started');
  await app.user.click(screen.getByRole('button', { name: 'Begin' }));
  const form = await screen.findByRole('form', { name: 'Generate a key for Seqera' });
  await waitFor(() => expect(within(form).getByLabelText('Name')).toHaveValue('seqera-ada'));
  if (passphrase !== '') {
    await app.user.type(within(form).getByLabelText('Passphrase'), passphrase);
    await app.user.type(within(form).getByLabelText('Confirm passphrase'), passphrase);
  }
  await app.user.click(within(form).getByRole('button', { name: 'Generate Key' }));
  await screen.findByRole('heading', { name: 'Step 3 of 5: Add it to Seqera Platform' });
  return app;
}

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
  it('says in two sentences what will happen', () => {
    renderApp('/get-started');
    const step = screen.getByRole('heading', { name: 'Step 1 of 5: What will happen' });
    expect(step.parentElement).toHaveTextContent(
      'Keysmith makes a new SSH key in this browser and adds its public half to your ~/.ssh/authorized_keys, so it can log in as you. You then paste its private half into a Seqera Platform SSH credential',
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
    expect(within(form).getByLabelText('Expires')).toHaveValue('90');
    // Access is fixed: no choice offered, the reason said.
    expect(within(form).queryByRole('radio')).not.toBeInTheDocument();
    expect(form).toHaveTextContent('Access: Restricted');
    expect(within(form).getByLabelText('Passphrase')).toHaveAccessibleDescription(
      /^Recommended\. It encrypts the private key, so a copy that leaks .* cannot log in without it\./,
    );
  });

  it('suggests another name when seqera-<user> is already in the file', async () => {
    await store.add(
      { publicKey: sshKeyLine(), name: 'seqera-ada', access: 'restricted' },
      new Date(),
    );
    const { user } = renderApp('/get-started');
    await user.click(screen.getByRole('button', { name: 'Begin' }));
    const form = await screen.findByRole('form', { name: 'Generate a key for Seqera' });
    await waitFor(() => expect(within(form).getByLabelText('Name')).toHaveValue('seqera-ada-2'));
  });

  it('refuses a name Seqera would refuse, mismatched passphrases and a past date; sends nothing', async () => {
    const { user } = renderApp('/get-started');
    await user.click(screen.getByRole('button', { name: 'Begin' }));
    const form = await screen.findByRole('form', { name: 'Generate a key for Seqera' });
    const name = within(form).getByLabelText('Name');
    await waitFor(() => expect(name).toHaveValue('seqera-ada'));
    await user.clear(name);
    await user.type(name, 'seqera ada!');
    await user.type(within(form).getByLabelText('Passphrase'), 'one');
    await user.type(within(form).getByLabelText('Confirm passphrase'), 'two');
    await user.selectOptions(within(form).getByLabelText('Expires'), 'date');
    await user.type(within(form).getByLabelText('Expiry date'), '2001-02-03');
    await user.click(within(form).getByRole('button', { name: 'Generate Key' }));

    expect(name).toBeInvalid();
    expect(name).toHaveAccessibleDescription(/so the name also works as a Seqera credential name/);
    expect(within(form).getByLabelText('Confirm passphrase')).toHaveAccessibleDescription(
      'The passphrases do not match. Type the same passphrase twice.',
    );
    expect(within(form).getByLabelText('Expiry date')).toHaveAccessibleDescription(
      'Choose a date in the future.',
    );
    await user.clear(name);
    await user.click(within(form).getByRole('button', { name: 'Generate Key' }));
    expect(name).toHaveAccessibleDescription(/Enter a name for the key\./);
    expect(sent.filter((request) => request.method !== 'GET')).toEqual([]);
    expect(screen.getByRole('heading', { name: /Step 2 of 5/ })).toBeInTheDocument();
  });
});

describe('onboarding: the whole flow', () => {
  it('with a passphrase: every Seqera field copies exactly, nothing secret leaves the page', async () => {
    const passphrase = 'Seqera pässphrase "1"';
    const { user } = await generateThroughFlow(passphrase);

    // The public key is in the file, restricted and expiring, named after the flow.
    expect(store.text()).toMatch(
      /^# keysmith name=seqera-ada added=\S+\nrestrict,expiry-time="\d{8}\S*" ssh-ed25519 \S+ seqera-ada\n$/,
    );
    const [listed] = (await store.list()).keys;
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
    expect(screen.getByRole('status')).toHaveTextContent(
      'Seqera Platform can now log in to this cluster as ada with the key seqera-ada.',
    );

    // Only GETs and the one POST of the public key went to our server: never the private
    // key, the passphrase or the JSON built for Seqera.
    const bodies = sent.filter((request) => request.method !== 'GET');
    expect(bodies.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /api/ssh-keys',
    ]);
    expect(Object.keys(JSON.parse(bodies[0]?.body ?? '{}') as object).sort()).toEqual([
      'access',
      'expiresAt',
      'name',
      'publicKey',
    ]);
    for (const request of sent) {
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
    warnings = [modeWarning];
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

    warnings = [];
    await user.click(screen.getByRole('button', { name: 'Check again' }));
    await user.click(await screen.findByRole('button', { name: 'Finish' }));
    expect(await screen.findByRole('heading', { name: /Step 5 of 5: Done/ })).toBeInTheDocument();
  });

  it('says so when the key was deleted elsewhere', async () => {
    const { user } = await generateThroughFlow('');
    await user.click(screen.getByRole('button', { name: 'Copy SSH private key' }));
    const [listed] = (await store.list()).keys;
    await store.remove(listed?.fingerprint ?? '');
    await user.click(screen.getByRole('button', { name: 'I have added it to Seqera' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      /The key seqera-ada \(SHA256:\S+\) is no longer in \/home\/ada\/\.ssh\/authorized_keys/,
    );
  });
});

describe('onboarding: step 6, reload', () => {
  it('after a reload on step 3 says the private key is gone; "Start over" asks, then deletes the key', async () => {
    const first = await generateThroughFlow('secret words');
    const [listed] = (await store.list()).keys;
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
    expect(store.text()).toContain('seqera-ada');

    await user.click(screen.getByRole('button', { name: 'Start over' }));
    await user.click(
      within(screen.getByRole('alertdialog', { name: 'Start over?' })).getByRole('button', {
        name: 'Remove key and start over',
      }),
    );
    expect(
      await screen.findByRole('heading', { name: 'Step 1 of 5: What will happen' }),
    ).toBeInTheDocument();
    expect(store.text()).toBe('');
    expect(sessionStorage.getItem(ONBOARDING_STORAGE_KEY)).toBeNull();
    expect(sent.filter((request) => request.method === 'DELETE')).toHaveLength(1);
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
    await store.remove((await store.list()).keys[0]?.fingerprint ?? '');
    const { user } = renderApp('/get-started');
    await user.click(screen.getByRole('button', { name: 'Start over' }));
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
    expect(store.text()).toContain('seqera-ada');
    expect(sent.filter((request) => request.method === 'DELETE')).toEqual([]);
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

describe('onboarding: Send to Seqera Platform (optional)', () => {
  const apiUrl = 'https://api.cloud.seqera.io';
  const token = 'eyJ0aWQiOiA0Mn0.seqera-token-for-tests';

  function sendForm() {
    const form = screen.getByRole('form', { name: 'Send to Seqera Platform' });
    expect(within(form).getByLabelText('Seqera API URL')).toHaveValue(apiUrl);
    return form;
  }

  it('creates the credential from the browser; the token goes to Seqera only and is then dropped', async () => {
    const seqera = createSeqeraModel(apiUrl, token);
    server.use(...seqera.handlers);
    const passphrase = 'for seqera';
    const { user } = await generateThroughFlow(passphrase);
    const form = sendForm();
    await user.type(within(form).getByLabelText('Access token'), token);
    await user.type(within(form).getByLabelText('Workspace id'), '42');
    await user.click(within(form).getByRole('button', { name: 'Send to Seqera Platform' }));

    expect(await within(form).findByText(/Seqera Platform saved the credential/)).toHaveTextContent(
      'Seqera Platform saved the credential seqera-ada in workspace 42 (id cred0001). Continue below.',
    );
    expect(within(form).getByLabelText('Access token')).toHaveValue('');
    expect(seqera.credentials).toHaveLength(1);
    const created = seqera.credentials[0];
    expect(created?.name).toBe('seqera-ada');
    expect(created?.workspaceId).toBe('42');
    expect(created?.keys.passphrase).toBe(passphrase);
    const [listed] = (await store.list()).keys;
    expect(sshKeygenPublicFromPrivate(created?.keys.privateKey ?? '', passphrase)).toBe(
      listed?.publicKey,
    );

    const toSeqera = sent.filter((request) => request.origin === apiUrl);
    expect(toSeqera.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /credentials',
    ]);
    expect(toSeqera[0]?.authorization).toBe(`Bearer ${token}`);
    for (const request of sent.filter((candidate) => candidate.origin !== apiUrl)) {
      expect(request.path.startsWith('/api/')).toBe(true);
      expect(`${request.body}${request.authorization}`).not.toContain(token);
      expect(request.body).not.toContain('PRIVATE KEY');
    }
    for (let index = 0; index < sessionStorage.length; index += 1) {
      expect(sessionStorage.getItem(sessionStorage.key(index) ?? '')).not.toContain(token);
    }

    // Sent counts as saved: continuing does not ask.
    await user.click(screen.getByRole('button', { name: 'I have added it to Seqera' }));
    expect(await screen.findByRole('heading', { name: /Step 4 of 5/ })).toBeInTheDocument();
  });

  it("explains Seqera's 401 and 409, and checks the fields before sending", async () => {
    const seqera = createSeqeraModel(apiUrl, token);
    server.use(...seqera.handlers);
    const { user } = await generateThroughFlow('');
    const form = sendForm();
    const send = within(form).getByRole('button', { name: 'Send to Seqera Platform' });

    await user.click(send);
    expect(within(form).getByRole('alert')).toHaveTextContent('Enter a Seqera access token');
    await user.type(within(form).getByLabelText('Access token'), 'wrong-token');
    await user.type(within(form).getByLabelText('Workspace id'), 'my-lab');
    await user.click(send);
    expect(within(form).getByRole('alert')).toHaveTextContent('A workspace id is a number');
    expect(sent.filter((request) => request.origin === apiUrl)).toEqual([]);

    await user.clear(within(form).getByLabelText('Workspace id'));
    await user.click(send);
    expect(await within(form).findByText(/refused the access token/)).toHaveTextContent(
      'Seqera refused the access token (401). Check that you copied all of it, or create a new one in Seqera: user menu → Your tokens.',
    );

    // Someone already made this name in the personal workspace.
    await user.clear(within(form).getByLabelText('Access token'));
    await user.type(within(form).getByLabelText('Access token'), token);
    await user.click(send);
    await within(form).findByText(/saved the credential seqera-ada in your personal workspace/);
    await user.type(within(form).getByLabelText('Access token'), token);
    await user.click(send);
    expect(await within(form).findByRole('alert')).toHaveTextContent(
      'A credential named seqera-ada already exists in your personal workspace (409). Delete or rename it in Seqera, or start over with another name.',
    );
    expect(seqera.credentials).toHaveLength(1);
  });

  it('says what to do when the browser cannot reach Seqera (CSP, CORS, network)', async () => {
    server.use(http.post('https://seqera.example.org/api/credentials', () => HttpResponse.error()));
    const { user } = await generateThroughFlow('');
    const form = sendForm();
    await user.clear(within(form).getByLabelText('Seqera API URL'));
    await user.type(
      within(form).getByLabelText('Seqera API URL'),
      'https://seqera.example.org/api',
    );
    await user.type(within(form).getByLabelText('Access token'), token);
    await user.click(within(form).getByRole('button', { name: 'Send to Seqera Platform' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent(
      "This page could not reach https://seqera.example.org/api. Keysmith lets its page connect only to the Keysmith server and to the Seqera API named by the server's --seqera-api flag (Content-Security-Policy connect-src)",
    );
    expect(within(form).getByRole('alert')).toHaveTextContent('Copy the JSON body above');
  });
});

/** A fresh ed25519 public key line, for a key already in the file. */
function sshKeyLine(): string {
  return 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO3Ewi0XK1WR5lqkzT8O0V8Nxc4E6MlUlS9mQW0dTRkY other';
}
