import { screen, waitFor, within } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sshKeygen } from '../../../testing/ssh-keygen.ts';
import { createHandlers } from '../../../mocks/handlers.ts';
import {
  createMemoryKeyStore,
  type MemoryKeyStore,
} from '../../../server/store/memory-key-store.ts';
import { renderApp } from '../../test/render-app.tsx';

const server = setupServer();
let store: MemoryKeyStore;
let sent: string[];
beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  server.events.on('request:start', ({ request }) => {
    void request
      .clone()
      .text()
      .then((body) => sent.push(`${request.method} ${new URL(request.url).pathname} ${body}`));
  });
});
beforeEach(() => {
  store = createMemoryKeyStore('');
  server.resetHandlers(...createHandlers(store));
  sent = [];
});
afterAll(() => server.close());

const ecdsa = sshKeygen('ecdsa', 'grace@laptop');
const ed25519 = sshKeygen('ed25519', 'ci@runner');

async function openImportDialog() {
  const app = renderApp();
  await app.user.click(await screen.findByRole('button', { name: 'Import Key' }));
  return { ...app, dialog: await screen.findByRole('dialog', { name: 'Import Key' }) };
}

describe('Import Key', () => {
  it('adds a pasted laptop key for logging in, named after its comment, showing what it parsed', async () => {
    const { user, dialog } = await openImportDialog();
    expect(
      within(dialog).getByRole('radio', { name: 'To log in from my computer (a terminal)' }),
    ).toBeChecked();
    const field = within(dialog).getByLabelText('Public key');
    await user.click(field);
    await user.paste(`${ecdsa.publicKey}\n`);
    expect(dialog).toHaveTextContent(`ECDSA 256 bits, ${ecdsa.fingerprint} (grace@laptop)`);
    // "grace@laptop" is no valid name; its cleaned form is.
    expect(within(dialog).getByLabelText('Name')).toHaveValue('grace-laptop');
    await user.selectOptions(within(dialog).getByLabelText('Expires'), 'none');
    await user.click(within(dialog).getByRole('button', { name: 'Add Key' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(store.text()).toMatch(
      new RegExp(`\\nrestrict,pty ${ecdsa.publicKey.replaceAll('+', '\\+')}\\n$`),
    );
    expect(store.text()).toContain('grace-laptop');
  });

  it('keeps a name the user typed when a key is pasted after it', async () => {
    const { user, dialog } = await openImportDialog();
    const name = within(dialog).getByLabelText('Name');
    await user.clear(name);
    await user.type(name, 'my_laptop');
    await user.click(within(dialog).getByLabelText('Public key'));
    await user.paste(ecdsa.publicKey);
    expect(name).toHaveValue('my_laptop');
  });

  it('reads a chosen .pub file', async () => {
    const { user, dialog } = await openImportDialog();
    const file = new File([`${ed25519.publicKey}\n`], 'id_ed25519.pub', { type: 'text/plain' });
    await user.upload(within(dialog).getByLabelText('Or choose a .pub file'), file);
    // Reading the file is asynchronous.
    await waitFor(() =>
      expect(within(dialog).getByLabelText('Public key')).toHaveValue(`${ed25519.publicKey}\n`),
    );
    expect(dialog).toHaveTextContent(`ED25519 256 bits, ${ed25519.fingerprint} (ci@runner)`);
    await user.click(
      within(dialog).getByRole('radio', { name: 'For Seqera or other automation (commands only)' }),
    );
    await user.click(within(dialog).getByRole('button', { name: 'Add Key' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(store.text()).toMatch(/^# keysmith name=ci-runner added=/);
    expect(store.text()).toMatch(/\nrestrict,expiry-time="\d{8}\S*" ssh-ed25519 /);
  });

  it('refuses a pasted private key with advice, drops it, and sends it nowhere', async () => {
    const { user, dialog } = await openImportDialog();
    const field = within(dialog).getByLabelText('Public key');
    await user.click(field);
    await user.paste(ed25519.privateKey);
    expect(within(dialog).getByRole('alert')).toHaveTextContent(
      'This is a PRIVATE key. It was not sent anywhere.',
    );
    expect(field).toHaveAccessibleDescription(/paste the public key instead \(the \.pub file/);
    expect(field).toHaveValue('');
    await user.click(within(dialog).getByRole('button', { name: 'Add Key' }));
    expect(sent.filter((request) => request.startsWith('POST'))).toEqual([]);
    for (const request of sent) expect(request).not.toContain('PRIVATE KEY');
  });

  it('refuses a private key chosen as a file', async () => {
    const { user, dialog } = await openImportDialog();
    const file = new File([ed25519.privateKey], 'id_ed25519', { type: 'text/plain' });
    await user.upload(within(dialog).getByLabelText('Or choose a .pub file'), file);
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('This is a PRIVATE key.');
    expect(within(dialog).getByLabelText('Public key')).toHaveValue('');
  });

  it('explains what is wrong with a text that is not a public key, instantly', async () => {
    const { user, dialog } = await openImportDialog();
    await user.type(within(dialog).getByLabelText('Public key'), 'ssh-ed25519 not-base64!');
    const alert = within(dialog).getByRole('alert');
    expect(alert.textContent.length).toBeGreaterThan(10);
    await user.click(within(dialog).getByRole('button', { name: 'Add Key' }));
    expect(sent.filter((request) => request.startsWith('POST'))).toEqual([]);
  });

  it('asks for a key when the field is empty', async () => {
    const { user, dialog } = await openImportDialog();
    await user.click(within(dialog).getByRole('button', { name: 'Add Key' }));
    expect(within(dialog).getByRole('alert')).toHaveTextContent(
      'Paste a public key or choose a .pub file.',
    );
  });

  it("shows the server's answer for a key that is already there", async () => {
    const { user, dialog } = await openImportDialog();
    await store.add(
      { publicKey: ed25519.publicKey, name: 'first', access: 'restricted' },
      new Date(),
    );
    await user.click(within(dialog).getByLabelText('Public key'));
    await user.paste(ed25519.publicKey);
    await user.click(within(dialog).getByRole('button', { name: 'Add Key' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      /This key is already in authorized_keys \(line 2, "first"\)/,
    );
  });
});
