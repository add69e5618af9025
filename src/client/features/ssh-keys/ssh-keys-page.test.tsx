import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sshKeygen } from '../../../testing/ssh-keygen.ts';
import type { FileWarning } from '../../../api/ssh-keys.ts';
import { createHandlers } from '../../../mocks/handlers.ts';
import {
  createMemoryKeyStore,
  type MemoryKeyStore,
} from '../../../server/store/memory-key-store.ts';
import { renderApp } from '../../test/render-app.tsx';

const server = setupServer();
let store: MemoryKeyStore;
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  store = createMemoryKeyStore('', { path: '/home/ada/.ssh/authorized_keys' });
  server.resetHandlers(...createHandlers(store));
});
afterAll(() => server.close());

const laptop = sshKeygen('ed25519', 'ada@laptop');
const legacy = sshKeygen('rsa', 'old-rsa-key');

describe('SSH Keys page states', () => {
  it('shows loading, then the empty state with "+ New Key"', async () => {
    renderApp();
    expect(screen.getByRole('status')).toHaveTextContent('Loading SSH keys…');
    expect(await screen.findByText('No SSH keys found')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '+ New Key' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Import Key' })).toBeInTheDocument();
    expect(screen.getByText('/home/ada/.ssh/authorized_keys')).toBeInTheDocument();
  });

  it("shows the server's own error message, and Retry loads the list", async () => {
    let calls = 0;
    server.use(
      http.get('/api/ssh-keys', () => {
        calls += 1;
        if (calls > 1) return undefined; // falls through to the app
        return HttpResponse.json(
          {
            error: {
              code: 'file-error',
              message:
                'Cannot read /home/ada/.ssh/authorized_keys: permission denied. Run chmod 600 on it.',
            },
          },
          { status: 500 },
        );
      }),
    );
    const { user } = renderApp();
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      'Could not load your SSH keys: Cannot read /home/ada/.ssh/authorized_keys: permission denied. Run chmod 600 on it.',
    );
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('No SSH keys found')).toBeInTheDocument();
    expect(calls).toBe(2);
  });

  it('refuses an answer that does not match the API schema, with advice', async () => {
    server.use(http.get('/api/ssh-keys', () => HttpResponse.json({ keys: 'nope' })));
    renderApp();
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The server sent an answer this page does not understand (/api/ssh-keys).',
    );
  });

  it("lists Keysmith's keys and foreign ones in a row each, details on demand", async () => {
    const [laptopType, laptopBase64] = laptop.publicKey.split(' ');
    const [rsaType, rsaBase64] = legacy.publicKey.split(' ');
    store = createMemoryKeyStore(
      [
        '# keysmith name=seqera-prod added=2026-01-02T03:04:05Z',
        `restrict,pty,expiry-time="20200101" ${laptopType} ${laptopBase64} seqera-prod`,
        `from="10.0.0.0/8,*.example.org" ${rsaType} ${rsaBase64} old-rsa-key`,
        '',
      ].join('\n'),
      { path: '/home/ada/.ssh/authorized_keys' },
    );
    server.resetHandlers(...createHandlers(store));
    const { user } = renderApp();
    const list = await screen.findByRole('list', { name: 'SSH keys' });
    const rows = within(list).getAllByRole('listitem');
    expect(rows).toHaveLength(2);

    const managed = within(list).getByRole('listitem', { name: 'seqera-prod' });
    expect(managed).toHaveTextContent('ED25519');
    expect(within(managed).getByText(laptop.fingerprint)).toHaveClass('mono');
    expect(within(managed).getByText('Expired')).toBeInTheDocument();
    expect(managed).toHaveTextContent('Interactive login');
    expect(managed).not.toHaveTextContent('Not added by Keysmith');

    const foreign = within(list).getByRole('listitem', { name: 'old-rsa-key' });
    expect(foreign).toHaveTextContent('Not added by Keysmith');
    expect(foreign).toHaveTextContent('RSA 3072');
    expect(within(foreign).getByText(legacy.fingerprint)).toBeInTheDocument();
    expect(foreign).toHaveTextContent('No expiry');
    expect(foreign).toHaveTextContent('Full access');
    expect(within(foreign).queryByText('Expired')).not.toBeInTheDocument();

    // The details stay closed until asked for.
    const toggle = within(managed).getByRole('button', { name: 'seqera-prod' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(managed).not.toHaveTextContent('Expired on');
    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const details = await within(managed).findByText('Expired on', { exact: false });
    expect(managed).toHaveTextContent('ssh-ed25519 (256 bits)');
    expect(managed).toHaveTextContent('Added2026-01-02 by Keysmith');
    expect(details).toHaveTextContent('Expired on 2020-01-01');
    expect(managed).toHaveTextContent('Line2 of authorized_keys');
    expect(within(managed).getByLabelText('Public key of seqera-prod')).toHaveTextContent(
      `${laptopType} ${laptopBase64} seqera-prod`,
    );
    expect(toggle).toHaveAttribute('aria-controls', 'key-2-details');
    expect(document.getElementById('key-2-details')).toBeInTheDocument();

    await user.click(within(foreign).getByRole('button', { name: 'old-rsa-key' }));
    expect(await within(foreign).findByText('ssh-rsa (3072 bits)')).toBeInTheDocument();
    expect(foreign).toHaveTextContent('AddedNot added by Keysmith');
    expect(foreign).toHaveTextContent('ExpiresNever');
    expect(foreign).toHaveTextContent('from 10.0.0.0/8, *.example.org');
    await user.click(toggle);
    expect(managed).not.toHaveTextContent('Expired on');
  });

  it('copies a fingerprint and says "Copied"', async () => {
    const [type, base64] = laptop.publicKey.split(' ');
    store = createMemoryKeyStore(`restrict ${type} ${base64} ada@laptop\n`);
    server.resetHandlers(...createHandlers(store));
    const { user } = renderApp();
    const card = await screen.findByRole('listitem', { name: 'ada@laptop' });
    await user.click(within(card).getByRole('button', { name: 'ada@laptop' }));
    await user.click(
      await within(card).findByRole('button', { name: 'Copy fingerprint of ada@laptop' }),
    );
    expect(await navigator.clipboard.readText()).toBe(laptop.fingerprint);
    expect(within(card).getByRole('status')).toHaveTextContent('Copied');
  });

  it("puts the server's file warnings above the list, with the command that fixes them", async () => {
    const warnings: FileWarning[] = [
      {
        code: 'file-mode',
        message:
          '/home/ada/.ssh/authorized_keys is writable by others (mode 0666): sshd ignores it.',
        fix: 'chmod 600 /home/ada/.ssh/authorized_keys',
      },
    ];
    const memory = createMemoryKeyStore('');
    server.resetHandlers(
      ...createHandlers({
        ...memory,
        list: async () => ({ ...(await memory.list()), warnings }),
      }),
    );
    const { user } = renderApp();
    const region = await screen.findByRole('region', {
      name: 'sshd will ignore ~/.ssh/authorized_keys',
    });
    expect(region).toHaveTextContent('writable by others (mode 0666): sshd ignores it.');
    expect(
      within(region).getByText('chmod 600 /home/ada/.ssh/authorized_keys'),
    ).toBeInTheDocument();
    await user.click(
      within(region).getByRole('button', {
        name: 'Copy the command: chmod 600 /home/ada/.ssh/authorized_keys',
      }),
    );
    expect(await navigator.clipboard.readText()).toBe('chmod 600 /home/ada/.ssh/authorized_keys');
    // The warning stands above the (empty) list.
    const empty = screen.getByText('No SSH keys found');
    expect(region.compareDocumentPosition(empty) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });
});

describe('Delete', () => {
  function seedTwoKeys() {
    const [laptopType, laptopBase64] = laptop.publicKey.split(' ');
    const [rsaType, rsaBase64] = legacy.publicKey.split(' ');
    store = createMemoryKeyStore(
      [
        '# keysmith name=seqera-prod added=2026-01-02T03:04:05Z',
        `restrict ${laptopType} ${laptopBase64} seqera-prod`,
        `${rsaType} ${rsaBase64} old-rsa-key`,
        '',
      ].join('\n'),
    );
    server.resetHandlers(...createHandlers(store));
  }

  it("names the key and its fingerprint, and removes only that key's lines", async () => {
    seedTwoKeys();
    const { user } = renderApp();
    await user.click(await screen.findByRole('button', { name: 'Delete seqera-prod' }));
    const dialog = await screen.findByRole('alertdialog', {
      name: 'Delete SSH key "seqera-prod"?',
    });
    expect(dialog).toHaveAccessibleDescription(
      `Removes the key with fingerprint ${laptop.fingerprint} from your ~/.ssh/authorized_keys. Logins with it stop working at once.`,
    );
    expect(within(dialog).queryByText(/not added by Keysmith/)).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Delete Key' }));

    await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument());
    await waitFor(() =>
      expect(screen.queryByRole('listitem', { name: 'seqera-prod' })).not.toBeInTheDocument(),
    );
    expect(screen.getByRole('listitem', { name: 'old-rsa-key' })).toBeInTheDocument();
    expect(store.text()).toBe(`${legacy.publicKey}\n`);
  });

  it('says a key in the directory stops working within the cache time, not at once', async () => {
    const [laptopType, laptopBase64] = laptop.publicKey.split(' ');
    store = createMemoryKeyStore(
      `restrict ${laptopType} ${laptopBase64} ada@laptop # keysmith name=seqera-prod added=2026-01-02T03:04:05Z\n`,
      { path: 'uid=ada,ou=people,dc=example,dc=org (sshPublicKey)', directoryCacheMinutes: 90 },
    );
    server.resetHandlers(...createHandlers(store));
    const { user } = renderApp();
    await user.click(await screen.findByRole('button', { name: /^Delete / }));
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog).toHaveAccessibleDescription(
      `Removes the key with fingerprint ${laptop.fingerprint} from your entry in the site's directory. Logins with it stop working on every host within 90 minutes, when SSSD's cache expires; your administrator can make it sooner.`,
    );
    expect(dialog).not.toHaveTextContent('at once');
  });

  it('shows no line number for a key in the directory, where a key is a value', async () => {
    const [laptopType, laptopBase64] = laptop.publicKey.split(' ');
    store = createMemoryKeyStore(
      `restrict ${laptopType} ${laptopBase64} ada@laptop # keysmith name=seqera-prod added=2026-01-02T03:04:05Z\n`,
      { path: 'uid=ada,ou=people,dc=example,dc=org (sshPublicKey)', directoryCacheMinutes: 90 },
    );
    server.resetHandlers(...createHandlers(store));
    const { user } = renderApp();
    const row = await screen.findByRole('listitem', { name: /^ada@laptop/ });
    await user.click(within(row).getByRole('button', { name: /^ada@laptop/ }));
    expect(await within(row).findByText(/bits\)/)).toBeInTheDocument();
    expect(row).toHaveTextContent('Access');
    expect(row).not.toHaveTextContent('Line');
    expect(row).not.toHaveTextContent('authorized_keys');
  });

  it('warns harder for a key Keysmith did not add, and Cancel keeps it', async () => {
    seedTwoKeys();
    const before = store.text();
    const { user } = renderApp();
    await user.click(await screen.findByRole('button', { name: 'Delete old-rsa-key' }));
    const dialog = await screen.findByRole('alertdialog', {
      name: 'Delete SSH key "old-rsa-key"?',
    });
    expect(dialog).toHaveTextContent(legacy.fingerprint);
    expect(dialog).toHaveTextContent(
      'This key was not added by Keysmith. It may be the key you use to log in yourself',
    );
    expect(dialog).toHaveTextContent('you may lose access to this account');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(store.text()).toBe(before);
  });

  it("shows the server's message when the delete fails", async () => {
    seedTwoKeys();
    const { user } = renderApp();
    await user.click(await screen.findByRole('button', { name: 'Delete seqera-prod' }));
    // Someone else removed the key meanwhile: the real app answers 404 with advice.
    await store.remove(laptop.fingerprint);
    const dialog = await screen.findByRole('alertdialog');
    await user.click(within(dialog).getByRole('button', { name: 'Delete Key' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      `No key with fingerprint ${laptop.fingerprint} is in authorized_keys. Reload the list to see the current keys.`,
    );
  });
});
