import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NO_POLICY, type Policy } from '../../../api/policy.ts';
import { createHandlers } from '../../../mocks/handlers.ts';
import { formatExpiryTime } from '../../../openssh/authorized-keys-options.ts';
import {
  createMemoryKeyStore,
  type MemoryKeyStore,
} from '../../../server/store/memory-key-store.ts';
import { sshKeygen } from '../../../testing/ssh-keygen.ts';
import { renderApp } from '../../test/render-app.tsx';

const DAY_MS = 24 * 60 * 60 * 1000;
const old = sshKeygen('ed25519', 'seqera-prod');
const scripted = sshKeygen('ed25519', 'backup-script');

const server = setupServer();
let store: MemoryKeyStore;
function serve(policy: Policy = NO_POLICY) {
  const [type, base64] = old.publicKey.split(' ');
  const expiry = formatExpiryTime(new Date(Date.now() + 5 * DAY_MS));
  store = createMemoryKeyStore(
    [
      '# keysmith name=seqera-prod added=2026-01-02T03:04:05Z',
      `restrict,pty,from="10.0.0.0/8",expiry-time="${expiry}" ${type} ${base64} seqera-prod`,
      `command="/usr/local/bin/backup" ${scripted.publicKey}`,
      '',
    ].join('\n'),
  );
  server.resetHandlers(...createHandlers(store, { policy }));
}
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => serve());
afterAll(() => server.close());

/** The key lines of the file, without Keysmith's `#` lines. */
function keyLines(): string[] {
  return store
    .text()
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'));
}

async function openReplace() {
  const app = renderApp();
  await app.user.click(await screen.findByRole('button', { name: 'Replace seqera-prod' }));
  const dialog = await screen.findByRole('dialog', { name: 'Replace SSH key "seqera-prod"' });
  return { ...app, dialog };
}

async function generate(user: ReturnType<typeof renderApp>['user'], dialog: HTMLElement) {
  await user.click(within(dialog).getByRole('button', { name: 'Generate New Key' }));
  const generated = await screen.findByRole('dialog', { name: 'SSH Key Generated' });
  return generated;
}

describe('Replace', () => {
  it('makes a like key, and removes the old one only after the new one was copied and the user confirmed', async () => {
    const { user, dialog } = await openReplace();
    const summary = within(dialog).getByLabelText('The new key');
    expect(summary).toHaveTextContent('Nameseqera-prod');
    expect(summary).toHaveTextContent('Interactive login · from 10.0.0.0/8');
    expect(keyLines()).toHaveLength(2);

    const generated = await generate(user, dialog);
    // Both keys are in the file now, with the same name; the new one like the old one.
    const lines = keyLines();
    expect(lines).toHaveLength(3);
    const newLine = lines[2] ?? '';
    expect(newLine).toMatch(
      /^restrict,pty,from="10\.0\.0\.0\/8",expiry-time="(\d{8})\d{6}Z" ssh-ed25519 \S+ seqera-prod$/,
    );
    const expiry = /expiry-time="(\d{4})(\d{2})(\d{2})/.exec(newLine) ?? [];
    const expiresAt = Date.UTC(Number(expiry[1]), Number(expiry[2]) - 1, Number(expiry[3]));
    expect(Math.round((expiresAt - Date.now()) / DAY_MS)).toBeGreaterThanOrEqual(89);
    expect(store.text()).toContain(old.publicKey.split(' ')[1]);

    // Not yet saved: no way to remove the old key.
    const step = within(generated).getByRole('region', { name: 'The old key' });
    expect(step).toHaveTextContent(`The old key seqera-prod (${old.fingerprint}) still works.`);
    expect(within(step).queryByRole('button')).not.toBeInTheDocument();

    await user.click(within(generated).getByRole('button', { name: 'Copy Private Key' }));
    expect(await navigator.clipboard.readText()).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    await user.click(within(step).getByRole('button', { name: 'Remove Old Key…' }));
    const confirm = await screen.findByRole('alertdialog', {
      name: 'Remove the old key "seqera-prod"?',
    });
    expect(confirm).toHaveTextContent(old.fingerprint);
    expect(within(confirm).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.click(within(confirm).getByRole('button', { name: 'Remove Old Key' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(keyLines()).toEqual([lines[1], newLine]);
    expect(store.text()).not.toContain(old.publicKey.split(' ')[1]);
    // The old row and its Replace button are gone: focus goes to the new key's row.
    const row = await screen.findByRole('listitem', { name: 'seqera-prod' });
    await waitFor(() =>
      expect(within(row).getByRole('button', { name: 'seqera-prod' })).toHaveFocus(),
    );
    expect(row).not.toHaveTextContent(old.fingerprint);
  });

  it('keeps only the old key when the new one is thrown away unsaved', async () => {
    const before = store.text();
    const { user, dialog } = await openReplace();
    const generated = await generate(user, dialog);
    expect(keyLines()).toHaveLength(3);
    await user.click(within(generated).getByRole('button', { name: 'Close' }));
    const discard = await screen.findByRole('alertdialog', {
      name: 'Close without saving the key?',
    });
    await user.click(within(discard).getByRole('button', { name: 'Close without saving' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(store.text()).toBe(before);
  });

  it('keeps both keys when the removal of the old one fails, and says so', async () => {
    server.use(
      http.delete(`/api/ssh-keys/${encodeURIComponent(old.fingerprint)}`, () =>
        HttpResponse.json(
          {
            error: {
              code: 'file-error',
              message: 'The disk is full. Free some space, then try again.',
            },
          },
          { status: 500 },
        ),
      ),
    );
    const { user, dialog } = await openReplace();
    const generated = await generate(user, dialog);
    await user.click(within(generated).getByRole('button', { name: 'Download' }));
    await user.click(within(generated).getByRole('button', { name: 'Remove Old Key…' }));
    const confirm = await screen.findByRole('alertdialog');
    await user.click(within(confirm).getByRole('button', { name: 'Remove Old Key' }));
    expect(await within(confirm).findByRole('alert')).toHaveTextContent(
      'Could not remove the old key: The disk is full. Free some space, then try again. Both keys are in your ~/.ssh/authorized_keys and the new one works',
    );
    expect(keyLines()).toHaveLength(3);
    expect(store.text()).toContain(old.publicKey.split(' ')[1]);

    // Closing keeps both; the list shows both.
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    await user.click(within(generated).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(await screen.findAllByRole('listitem', { name: 'seqera-prod' })).toHaveLength(2);
  });

  it('leaves the old key alone when the new key cannot be added', async () => {
    server.use(
      http.post('/api/ssh-keys', () =>
        HttpResponse.json(
          { error: { code: 'file-error', message: 'authorized_keys is read-only.' } },
          { status: 500 },
        ),
      ),
    );
    const before = store.text();
    const { user, dialog } = await openReplace();
    await user.click(within(dialog).getByRole('button', { name: 'Generate New Key' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'authorized_keys is read-only.',
    );
    expect(screen.queryByRole('dialog', { name: 'SSH Key Generated' })).not.toBeInTheDocument();
    expect(store.text()).toBe(before);
  });

  it("keeps the new key's expiry within the site's maximum", async () => {
    serve({ ...NO_POLICY, maxLifetimeDays: 30 });
    const { user, dialog } = await openReplace();
    await generate(user, dialog);
    const newLine = keyLines()[2] ?? '';
    const expiry = /expiry-time="(\d{4})(\d{2})(\d{2})/.exec(newLine) ?? [];
    const expiresAt = Date.UTC(Number(expiry[1]), Number(expiry[2]) - 1, Number(expiry[3]));
    expect((expiresAt - Date.now()) / DAY_MS).toBeLessThanOrEqual(30);
    expect((expiresAt - Date.now()) / DAY_MS).toBeGreaterThan(28);
  });

  it('is not offered for a key with options Keysmith does not compose', async () => {
    renderApp();
    const row = await screen.findByRole('listitem', { name: 'backup-script' });
    expect(within(row).getByRole('button', { name: 'Delete backup-script' })).toBeInTheDocument();
    expect(within(row).queryByRole('button', { name: /Replace/ })).not.toBeInTheDocument();
  });
});
