import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NO_POLICY, type Policy } from '../../../api/policy.ts';
import { apiPaths } from '../../../api/ssh-keys.ts';
import { createHandlers } from '../../../mocks/handlers.ts';
import { createMemoryKeyStore } from '../../../server/store/memory-key-store.ts';
import { sshKeygen } from '../../../testing/ssh-keygen.ts';
import { renderApp } from '../../test/render-app.tsx';

const server = setupServer();
let posts: Record<string, unknown>[];
beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  server.events.on('request:start', ({ request }) => {
    if (request.method !== 'POST') return;
    void request
      .clone()
      .json()
      .then((body: Record<string, unknown>) => posts.push(body));
  });
});
beforeEach(() => {
  posts = [];
});
afterAll(() => server.close());

function servePolicy(limits: Partial<Policy>) {
  server.resetHandlers(
    http.get(apiPaths.policy, () => HttpResponse.json({ ...NO_POLICY, ...limits })),
    ...createHandlers(createMemoryKeyStore('')),
  );
}

const strict: Partial<Policy> = {
  maxLifetimeDays: 60,
  allowedAccess: ['restricted'],
  requireFrom: true,
  requirePassphrase: true,
};

describe('the dialogs under a site policy', () => {
  it('Generate offers only allowed expiries and access, and requires a passphrase and sources', async () => {
    servePolicy(strict);
    const { user } = renderApp();
    await user.click(await screen.findByRole('button', { name: '+ New Key' }));
    const dialog = await screen.findByRole('dialog', { name: 'Generate SSH Key' });
    const expires = within(dialog).getByLabelText('Expires');
    await waitFor(() =>
      expect(
        within(expires)
          .getAllByRole('option')
          .map((option) => option.textContent),
      ).toEqual(['In 30 days', 'In 60 days (the longest allowed here)', 'On a date…']),
    );
    expect(expires).toHaveValue('60');
    // A date can be chosen up to the last day within the limit.
    await user.selectOptions(expires, 'date');
    const last = new Date();
    last.setDate(last.getDate() + 59);
    const pad = (n: number) => String(n).padStart(2, '0');
    expect(within(dialog).getByLabelText('Expiry date')).toHaveAttribute(
      'max',
      `${last.getFullYear()}-${pad(last.getMonth() + 1)}-${pad(last.getDate())}`,
    );
    await user.selectOptions(expires, '60');
    expect(
      within(dialog)
        .getAllByRole('radio')
        .map((radio) => radio.id.split('-').pop()),
    ).toEqual(['restricted']);
    expect(
      within(dialog).getByRole('radio', { name: 'For Seqera or other automation (commands only)' }),
    ).toBeChecked();

    await user.click(within(dialog).getByRole('button', { name: 'Generate Key' }));
    const passphrase = within(dialog).getByLabelText('Passphrase (required here)');
    expect(passphrase).toBeInvalid();
    expect(passphrase).toHaveAccessibleDescription(/Enter a passphrase/);
    const sources = within(dialog).getByLabelText('Allowed source addresses (required here)');
    expect(sources).toHaveAttribute('aria-invalid', 'true');
    expect(sources).toHaveAccessibleDescription(/This site requires source addresses/);
    expect(posts).toEqual([]);

    await user.type(passphrase, 'a long passphrase');
    await user.type(within(dialog).getByLabelText('Confirm passphrase'), 'a long passphrase');
    await user.type(sources, '10.0.0.0/8 192.168.1.0/24');
    await user.click(within(dialog).getByRole('button', { name: 'Generate Key' }));
    await screen.findByRole('dialog', { name: 'SSH Key Generated' }, { timeout: 5000 });
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({
      access: 'restricted',
      from: ['10.0.0.0/8', '192.168.1.0/24'],
    });
    const days = (Date.parse(String(posts[0]?.expiresAt)) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(59.9);
    expect(days).toBeLessThanOrEqual(60);
  });

  it('Import refuses a key type the site does not allow, before sending anything', async () => {
    servePolicy({ allowedKeyTypes: ['ssh-ed25519'] });
    const { user } = renderApp();
    await user.click(await screen.findByRole('button', { name: 'Import Key' }));
    const dialog = await screen.findByRole('dialog', { name: 'Import Key' });
    await waitFor(() => expect(posts).toEqual([]));
    await user.click(within(dialog).getByLabelText('Public key'));
    await user.paste(sshKeygen('ecdsa', 'grace@laptop').publicKey);
    await user.click(within(dialog).getByRole('button', { name: 'Add Key' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'ecdsa-sha2-nistp256 keys are not allowed here: use ssh-ed25519.',
    );
    expect(posts).toEqual([]);
  });

  it('Import offers Full access under Advanced when the site allows it, and sends it', async () => {
    servePolicy({});
    const { user } = renderApp();
    await user.click(await screen.findByRole('button', { name: 'Import Key' }));
    const dialog = await screen.findByRole('dialog', { name: 'Import Key' });
    await user.click(within(dialog).getByLabelText('Public key'));
    await user.paste(sshKeygen('ed25519', 'ada@laptop').publicKey);
    await user.click(within(dialog).getByText('Advanced'));
    await user.click(
      within(dialog).getByRole('radio', { name: 'Full access (port forwarding, agent)' }),
    );
    await user.click(within(dialog).getByRole('button', { name: 'Add Key' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]).toMatchObject({ access: 'full', name: 'ada-laptop' });
  });
});
