import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { sshKeygenPublicFromPrivate } from '../../../testing/ssh-keygen.ts';
import { bcryptPbkdf } from '../../../crypto/bcrypt-pbkdf.ts';
import { decodePrivateKey } from '../../../openssh/private-key.ts';
import { createHandlers } from '../../../mocks/handlers.ts';
import {
  createMemoryKeyStore,
  type MemoryKeyStore,
} from '../../../server/store/memory-key-store.ts';
import type { KdfRunner } from '../../crypto/worker-kdf.ts';
import { renderApp } from '../../test/render-app.tsx';

const server = setupServer();
let store: MemoryKeyStore;
/** Every request the page sent, as method, path and body text. */
let sent: { method: string; path: string; body: string }[];

beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  server.events.on('request:start', ({ request }) => {
    const copy = request.clone();
    void copy.text().then((body) => {
      sent.push({ method: request.method, path: new URL(request.url).pathname, body });
    });
  });
});
beforeEach(() => {
  store = createMemoryKeyStore('');
  server.resetHandlers(...createHandlers(store));
  sent = [];
});
afterEach(() => vi.restoreAllMocks());
afterAll(() => server.close());

async function openGenerateDialog() {
  const app = renderApp();
  await app.user.click(await screen.findByRole('button', { name: '+ New Key' }));
  const dialog = await screen.findByRole('dialog', { name: 'Generate SSH Key' });
  return { ...app, dialog };
}

function postBodies(): Record<string, unknown>[] {
  return sent
    .filter((request) => request.method === 'POST')
    .map((request) => JSON.parse(request.body) as Record<string, unknown>);
}

describe('Generate SSH Key', () => {
  it('prefills a valid name, suggests 90 days, and asks what the key is for (automation first)', async () => {
    const { dialog } = await openGenerateDialog();
    const today = new Date();
    const pad = (n: number) => String(n).padStart(2, '0');
    expect(within(dialog).getByLabelText('Name')).toHaveValue(
      `key-${today.getFullYear()}${pad(today.getMonth() + 1)}${pad(today.getDate())}`,
    );
    expect(within(dialog).getByLabelText('Expires')).toHaveValue('90');
    expect(
      within(within(dialog).getByLabelText('Expires'))
        .getAllByRole('option')
        .map((option) => option.textContent),
    ).toEqual(['Never', 'In 30 days', 'In 90 days (suggested)', 'In 365 days', 'On a date…']);
    expect(
      within(dialog).getByRole('radio', { name: 'For Seqera or other automation (commands only)' }),
    ).toBeChecked();
    expect(
      within(dialog).getByRole('radio', { name: 'To log in from my computer (a terminal)' }),
    ).not.toBeChecked();
    // Full access is there, but only under Advanced.
    expect(
      within(dialog).getByRole('radio', { name: 'Full access (port forwarding, agent)' }),
    ).not.toBeVisible();
    expect(within(dialog).getByLabelText('Passphrase')).toHaveValue('');
  });

  it('refuses a bad name and mismatched passphrases, and sends nothing', async () => {
    const { user, dialog } = await openGenerateDialog();
    const name = within(dialog).getByLabelText('Name');
    await user.clear(name);
    await user.type(name, 'my key!');
    await user.type(within(dialog).getByLabelText('Passphrase'), 'correct horse');
    await user.type(within(dialog).getByLabelText('Confirm passphrase'), 'correct hose');
    await user.click(within(dialog).getByRole('button', { name: 'Generate Key' }));

    expect(name).toHaveAccessibleDescription(/Use 1–100 letters, digits, "-" or "_" \(no spaces\)/);
    expect(name).toBeInvalid();
    expect(within(dialog).getByLabelText('Confirm passphrase')).toHaveAccessibleDescription(
      'The passphrases do not match. Type the same passphrase twice.',
    );
    await user.clear(name);
    await user.click(within(dialog).getByRole('button', { name: 'Generate Key' }));
    expect(name).toHaveAccessibleDescription(/Enter a name for the key\./);
    expect(postBodies()).toEqual([]);
  });

  it('refuses an expiry date in the past', async () => {
    const { user, dialog } = await openGenerateDialog();
    await user.selectOptions(within(dialog).getByLabelText('Expires'), 'date');
    const date = within(dialog).getByLabelText('Expiry date');
    await user.type(date, '2001-02-03');
    await user.click(within(dialog).getByRole('button', { name: 'Generate Key' }));
    expect(date).toHaveAccessibleDescription('Choose a date in the future.');
    expect(postBodies()).toEqual([]);
  });

  it('makes a key without passphrase that ssh-keygen reads, and POSTs only the public key and options', async () => {
    const { user, dialog } = await openGenerateDialog();
    const name = within(dialog).getByLabelText('Name');
    await user.clear(name);
    await user.type(name, 'seqera_ci-1');
    await user.click(
      within(dialog).getByRole('radio', { name: 'To log in from my computer (a terminal)' }),
    );
    await user.click(within(dialog).getByRole('button', { name: 'Generate Key' }));

    const generated = await screen.findByRole('dialog', { name: 'SSH Key Generated' });
    expect(generated).toHaveTextContent('It will not be shown again');

    await user.click(within(generated).getByRole('button', { name: 'Copy Private Key' }));
    const privateKey = await navigator.clipboard.readText();
    expect(privateKey).toMatch(
      /^-----BEGIN OPENSSH PRIVATE KEY-----\n[\s\S]+\n-----END OPENSSH PRIVATE KEY-----\n$/,
    );
    expect(within(generated).getAllByRole('status')[0]).toHaveTextContent('Copied');

    const decoded = await decodePrivateKey(privateKey);
    expect(decoded.encrypted).toBe(false);
    expect(decoded.comment).toBe('seqera_ci-1');

    const bodies = postBodies();
    expect(bodies).toHaveLength(1);
    const body = bodies[0] ?? {};
    expect(Object.keys(body).sort()).toEqual(['access', 'expiresAt', 'name', 'publicKey']);
    expect(body.name).toBe('seqera_ci-1');
    expect(body.access).toBe('interactive');
    const days = (Date.parse(String(body.expiresAt)) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThan(90.1);
    // The real ssh-keygen derives, from the copied private key, the very line that was POSTed.
    expect(body.publicKey).toBe(sshKeygenPublicFromPrivate(privateKey));
    expect(within(generated).getByLabelText('Public key')).toHaveTextContent(
      String(body.publicKey),
    );
    for (const request of sent) {
      expect(request.body).not.toContain('PRIVATE KEY');
      expect(request.body).not.toContain(privateKey.split('\n')[2]);
    }

    // Key Information: type, fingerprint, comment and randomart, as the list shows them.
    const fingerprint = store.text().length > 0 ? (await store.list()).keys[0]?.fingerprint : '';
    expect(fingerprint).toMatch(/^SHA256:/);
    const info = within(generated);
    expect(info.getByText('ssh-ed25519 (ED25519, 256 bits)')).toBeInTheDocument();
    expect(info.getByText(String(fingerprint))).toBeInTheDocument();
    expect(info.getByLabelText('Randomart of the key').textContent).toMatch(
      /^\+--\[ED25519 256\]--\+\n(\|.{17}\|\n){9}\+----\[SHA256\]-----\+$/,
    );
    expect(store.text()).toMatch(
      /^# keysmith name=seqera_ci-1 added=\S+\nrestrict,pty,expiry-time="\d{8}\d*Z?" ssh-ed25519 \S+ seqera_ci-1\n$/,
    );

    // Copied: Close closes at once, the key is in the list.
    await user.click(within(generated).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(await screen.findByRole('listitem', { name: 'seqera_ci-1' })).toHaveTextContent(
      String(fingerprint),
    );
  });

  it('encrypts with the passphrase, which never appears in any request', async () => {
    const passphrase = 'pässphrase with ünïcode';
    const { user, dialog } = await openGenerateDialog();
    await user.selectOptions(within(dialog).getByLabelText('Expires'), 'none');
    await user.type(within(dialog).getByLabelText('Passphrase'), passphrase);
    await user.type(within(dialog).getByLabelText('Confirm passphrase'), passphrase);
    await user.click(within(dialog).getByRole('button', { name: 'Generate Key' }));
    expect(await within(dialog).findByRole('status')).toHaveTextContent(
      /Making the key pair…|Encrypting the private key with your passphrase…/,
    );

    const generated = await screen.findByRole('dialog', { name: 'SSH Key Generated' });
    await user.click(within(generated).getByRole('button', { name: 'Copy Private Key' }));
    const privateKey = await navigator.clipboard.readText();
    await expect(decodePrivateKey(privateKey, { passphrase: 'wrong' })).rejects.toThrow();
    const decoded = await decodePrivateKey(privateKey, { passphrase });
    expect(decoded.encrypted).toBe(true);
    expect(decoded.rounds).toBe(24);

    const body = postBodies()[0] ?? {};
    expect(Object.keys(body).sort()).toEqual(['access', 'name', 'publicKey']);
    expect(body.access).toBe('restricted');
    expect(body.publicKey).toBe(sshKeygenPublicFromPrivate(privateKey, passphrase));
    for (const request of sent) {
      expect(request.body).not.toContain(passphrase);
      expect(request.body).not.toContain(JSON.stringify(passphrase).slice(1, -1));
      expect(request.body).not.toContain('PRIVATE KEY');
    }
    expect(generated).toHaveTextContent('encrypted with your passphrase');
  });

  it('derives the passphrase key once the passphrases agree, before the click, with the salt the file names', async () => {
    const salts: Uint8Array[] = [];
    const runner = (): KdfRunner => ({
      kdf: (passphrase, salt, rounds, keyLength) => {
        salts.push(salt.slice());
        return Promise.resolve(bcryptPbkdf(passphrase, salt, rounds, keyLength));
      },
      dispose: () => undefined,
    });
    const app = renderApp('/ssh-keys', runner);
    await app.user.click(await screen.findByRole('button', { name: '+ New Key' }));
    const dialog = await screen.findByRole('dialog', { name: 'Generate SSH Key' });
    const passphraseField = within(dialog).getByLabelText('Passphrase');
    const confirmationField = within(dialog).getByLabelText('Confirm passphrase');
    await app.user.type(passphraseField, 'abc');
    await app.user.type(confirmationField, 'ab');
    expect(salts).toHaveLength(0); // no agreement yet
    await app.user.type(confirmationField, 'c');
    expect(salts).toHaveLength(1);
    // Changed after agreeing: the first derivation is dropped, a new one starts on agreement.
    await app.user.type(passphraseField, 'd');
    await app.user.type(confirmationField, 'd');
    expect(salts).toHaveLength(2);

    await app.user.click(within(dialog).getByRole('button', { name: 'Generate Key' }));
    const generated = await screen.findByRole('dialog', { name: 'SSH Key Generated' });
    expect(salts).toHaveLength(2); // the click derived nothing itself
    await app.user.click(within(generated).getByRole('button', { name: 'Copy Private Key' }));
    const privateKey = await navigator.clipboard.readText();
    const decoded = await decodePrivateKey(privateKey, { passphrase: 'abcd' });
    expect(decoded.salt).toEqual(salts[1]);
    expect(sshKeygenPublicFromPrivate(privateKey, 'abcd')).toBe(postBodies()[0]?.publicKey);
  });

  it("shows the server's refusal and stays open", async () => {
    const { user, dialog } = await openGenerateDialog();
    await user.selectOptions(within(dialog).getByLabelText('Expires'), 'date');
    // A date two days ahead passes the page's check; the server then refuses (stale session).
    const tomorrow = new Date(Date.now() + 2 * 86_400_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    await user.type(
      within(dialog).getByLabelText('Expiry date'),
      `${tomorrow.getFullYear()}-${pad(tomorrow.getMonth() + 1)}-${pad(tomorrow.getDate())}`,
    );
    server.use(
      http.post('/api/ssh-keys', () =>
        HttpResponse.json(
          {
            error: {
              code: 'unauthorized',
              message: 'Your session ended. Open the URL that keysmith serve printed.',
            },
          },
          { status: 401 },
        ),
      ),
    );
    await user.click(within(dialog).getByRole('button', { name: 'Generate Key' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Your session ended. Open the URL that keysmith serve printed.',
    );
    expect(screen.queryByRole('dialog', { name: 'SSH Key Generated' })).not.toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Generate Key' })).toBeEnabled();
  });

  it('falls back to tweetnacl when the browser has no WebCrypto Ed25519', async () => {
    const generateKey = vi
      .spyOn(crypto.subtle, 'generateKey')
      .mockRejectedValue(new DOMException('Unrecognized algorithm name', 'NotSupportedError'));
    const { user, dialog } = await openGenerateDialog();
    await user.click(within(dialog).getByRole('button', { name: 'Generate Key' }));
    const generated = await screen.findByRole('dialog', { name: 'SSH Key Generated' });
    expect(generateKey).toHaveBeenCalled();
    await user.click(within(generated).getByRole('button', { name: 'Copy Private Key' }));
    const privateKey = await navigator.clipboard.readText();
    expect(postBodies()[0]?.publicKey).toBe(sshKeygenPublicFromPrivate(privateKey));
  });
});
