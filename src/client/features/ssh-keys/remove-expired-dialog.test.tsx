import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../../../mocks/handlers.ts';
import { sampleKeysFile } from '../../../mocks/sample-keys.ts';
import {
  createMemoryKeyStore,
  type MemoryKeyStore,
} from '../../../server/store/memory-key-store.ts';
import { renderApp } from '../../test/render-app.tsx';

const server = setupServer();
let store: MemoryKeyStore;
/** Every DELETE the page sent, by fingerprint. */
let deletes: string[];
function serve(text: string) {
  store = createMemoryKeyStore(text);
  server.resetHandlers(...createHandlers(store));
}
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  // Keys 0, 6 and 12 of the sample have expired.
  serve(sampleKeysFile(new Date(), 14));
  deletes = [];
  server.events.removeAllListeners();
  server.events.on('request:start', ({ request }) => {
    if (request.method === 'DELETE') {
      deletes.push(decodeURIComponent(new URL(request.url).pathname.split('/').pop() ?? ''));
    }
  });
});
afterAll(() => server.close());

async function names(): Promise<string[]> {
  return (await store.list()).keys.map((key) => key.name ?? key.comment);
}

describe('Remove expired keys', () => {
  it('removes every expired key after one confirmation, and nothing else', async () => {
    const { user } = renderApp();
    await user.click(await screen.findByRole('button', { name: 'Remove expired keys (3)' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Remove 3 expired keys?' });
    expect(dialog).toHaveAccessibleDescription(
      "sshd already ignores them. Each is removed from your ~/.ssh/authorized_keys, with Keysmith's line above it.",
    );
    const listed = within(dialog).getByRole('list', { name: 'Keys to remove' });
    expect(
      within(listed)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual([
      expect.stringMatching(/^laptop-00 · expired \d{4}-\d{2}-\d{2}$/),
      expect.stringMatching(/^laptop-06 · expired /),
      expect.stringMatching(/^laptop-12 · expired /),
    ]);
    await user.click(within(dialog).getByRole('button', { name: 'Remove 3 expired keys' }));

    await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument());
    expect(deletes).toHaveLength(3);
    expect(await names()).toHaveLength(11);
    expect(await names()).not.toContain('laptop-00');
    expect(await names()).not.toContain('laptop-12');
    // The list is read again: the rows and the button are gone.
    await waitFor(() =>
      expect(screen.queryByRole('listitem', { name: 'laptop-06' })).not.toBeInTheDocument(),
    );
    expect(screen.getByRole('listitem', { name: 'seqera-01' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Remove expired keys/ })).not.toBeInTheDocument();
    // The button that opened the dialog is gone: focus goes to the page heading.
    await waitFor(() =>
      expect(screen.getByRole('heading', { level: 1, name: 'SSH Keys' })).toHaveFocus(),
    );
  });

  it('Cancel removes nothing', async () => {
    const before = store.text();
    const { user } = renderApp();
    await user.click(await screen.findByRole('button', { name: 'Remove expired keys (3)' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(deletes).toEqual([]);
    expect(store.text()).toBe(before);
  });

  it('says which keys were removed and which not when one fails, and tries the rest again', async () => {
    const failing = (await store.list()).keys.find((key) => key.name === 'laptop-06');
    if (!failing) throw new Error('no laptop-06 in the sample');
    let refuse = true;
    server.use(
      http.delete(`/api/ssh-keys/${encodeURIComponent(failing.fingerprint)}`, () =>
        refuse
          ? HttpResponse.json(
              {
                error: {
                  code: 'file-error',
                  message: 'The disk is full. Free some space, then try again.',
                },
              },
              { status: 500 },
            )
          : undefined,
      ),
    );
    const { user } = renderApp();
    await user.click(await screen.findByRole('button', { name: 'Remove expired keys (3)' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Remove 3 expired keys?' });
    await user.click(within(dialog).getByRole('button', { name: 'Remove 3 expired keys' }));

    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('Removed: laptop-00, laptop-12.');
    expect(alert).toHaveTextContent(
      'Not removed, still in your ~/.ssh/authorized_keys (sshd ignores them):laptop-06: The disk is full. Free some space, then try again.',
    );
    expect(dialog).toHaveAccessibleName('Remove 1 expired key?');
    expect(await names()).toContain('laptop-06');
    expect(await names()).not.toContain('laptop-00');
    // The list behind the dialog (hidden from the accessibility tree meanwhile) was read again.
    await waitFor(() =>
      expect(
        screen.queryByRole('listitem', { name: 'laptop-00', hidden: true }),
      ).not.toBeInTheDocument(),
    );
    expect(screen.getByRole('listitem', { name: 'laptop-06', hidden: true })).toBeInTheDocument();

    refuse = false;
    await user.click(within(dialog).getByRole('button', { name: 'Try again (1)' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument());
    expect(deletes.filter((fingerprint) => fingerprint === failing.fingerprint)).toHaveLength(2);
    expect(deletes).toHaveLength(4);
    expect(await names()).not.toContain('laptop-06');
  });

  it('leaves a key that is also on a line that has not expired (DELETE would remove both)', async () => {
    const text = sampleKeysFile(new Date(), 2);
    const expired = text.split('\n')[1] ?? '';
    // The same key again, without expiry, as someone added it by hand.
    serve(`${text}${expired.replace(/^\S+ /, '')}\n`);
    renderApp();
    const rows = await screen.findAllByRole('listitem', { name: 'laptop-00' });
    expect(rows.map((row) => within(row).queryByText('Expired') !== null)).toEqual([true, false]);
    expect(screen.queryByRole('button', { name: /Remove expired keys/ })).not.toBeInTheDocument();
  });
});
