import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { createSeqeraModel } from '../../../mocks/seqera-handlers.ts';
import { sshKeygenPublicFromPrivate } from '../../../testing/ssh-keygen.ts';
import { createHandlers } from '../../../mocks/handlers.ts';
import { createMemoryKeyStore } from '../../../server/store/memory-key-store.ts';
import { generateThroughFlow, setupOnboardingServer } from './onboarding-test-server.ts';

const { server, state } = setupOnboardingServer(
  () => createMemoryKeyStore('', { path: '/home/ada/.ssh/authorized_keys' }),
  createHandlers,
);

const apiUrl = 'https://api.cloud.seqera.io';
const token = 'eyJ0aWQiOiA0Mn0.seqera-token-for-tests';

/** Opens the "send from this page" disclosure and returns its form. */
async function openSendForm(user: Awaited<ReturnType<typeof generateThroughFlow>>['user']) {
  await user.click(screen.getByText('Or send it to Seqera Platform from this page'));
  return screen.getByRole('form', { name: 'Send to Seqera Platform' });
}

describe('onboarding: Send to Seqera Platform', () => {
  it('is not offered when the server names no Seqera API (no --seqera-api)', async () => {
    await generateThroughFlow('');
    expect(screen.queryByText(/send it to Seqera Platform from this page/)).not.toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Send to Seqera Platform' })).not.toBeInTheDocument();
    // Seqera's form comes first, whole; the other ways are folded away.
    expect(screen.getByRole('button', { name: 'Copy SSH private key' })).toBeVisible();
  });

  it('creates the credential from the browser; the token goes to Seqera only and is then dropped', async () => {
    state.seqeraApis = [apiUrl];
    const seqera = createSeqeraModel(apiUrl, token);
    server.use(...seqera.handlers);
    const passphrase = 'for seqera';
    const { user } = await generateThroughFlow(passphrase);
    const form = await openSendForm(user);
    expect(within(form).getByLabelText('Seqera API URL')).toHaveValue(apiUrl);
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
    const [listed] = (await state.store.list()).keys;
    expect(sshKeygenPublicFromPrivate(created?.keys.privateKey ?? '', passphrase)).toBe(
      listed?.publicKey,
    );

    const toSeqera = state.sent.filter((request) => request.origin === apiUrl);
    expect(toSeqera.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /credentials',
    ]);
    expect(toSeqera[0]?.authorization).toBe(`Bearer ${token}`);
    for (const request of state.sent.filter((candidate) => candidate.origin !== apiUrl)) {
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
    state.seqeraApis = [apiUrl];
    const seqera = createSeqeraModel(apiUrl, token);
    server.use(...seqera.handlers);
    const { user } = await generateThroughFlow('');
    const form = await openSendForm(user);
    const send = within(form).getByRole('button', { name: 'Send to Seqera Platform' });

    await user.click(send);
    expect(within(form).getByRole('alert')).toHaveTextContent('Enter a Seqera access token');
    await user.type(within(form).getByLabelText('Access token'), 'wrong-token');
    await user.type(within(form).getByLabelText('Workspace id'), 'my-lab');
    await user.click(send);
    expect(within(form).getByRole('alert')).toHaveTextContent('A workspace id is a number');
    expect(state.sent.filter((request) => request.origin === apiUrl)).toEqual([]);

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

  it('sends only to the APIs the server names, and says what to do when one cannot be reached', async () => {
    state.seqeraApis = ['https://seqera.example.org'];
    server.use(http.post('https://seqera.example.org/api/credentials', () => HttpResponse.error()));
    const { user } = await generateThroughFlow('');
    const form = await openSendForm(user);
    const url = within(form).getByLabelText('Seqera API URL');
    expect(url).toHaveValue('https://seqera.example.org');
    expect(url).toHaveAccessibleDescription(
      /This Keysmith may send to https:\/\/seqera\.example\.org/,
    );
    await user.type(within(form).getByLabelText('Access token'), token);

    // Another origin: the page's CSP would refuse it, so the page does not try.
    await user.clear(url);
    await user.type(url, 'https://api.cloud.seqera.io');
    await user.click(within(form).getByRole('button', { name: 'Send to Seqera Platform' }));
    expect(within(form).getByRole('alert')).toHaveTextContent(
      "This Keysmith may send only to https://seqera.example.org (its --seqera-api): use one of those, or fill in Seqera's form above.",
    );
    expect(state.sent.filter((request) => !request.path.startsWith('/api/'))).toEqual([]);

    await user.clear(url);
    await user.type(url, 'https://seqera.example.org/api');
    await user.click(within(form).getByRole('button', { name: 'Send to Seqera Platform' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent(
      "This page could not reach https://seqera.example.org/api: check the address, the network, and that Seqera's API accepts requests from this page (CORS). Or fill in Seqera's form above.",
    );
  });
});
