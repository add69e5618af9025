import { screen, waitFor, within } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NO_POLICY, type Policy } from '../../../api/policy.ts';
import { createHandlers } from '../../../mocks/handlers.ts';
import { sampleKeyName, sampleKeysFile } from '../../../mocks/sample-keys.ts';
import { createMemoryKeyStore } from '../../../server/store/memory-key-store.ts';
import { renderApp } from '../../test/render-app.tsx';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  const store = createMemoryKeyStore(sampleKeysFile(new Date()));
  server.resetHandlers(...createHandlers(store));
});
afterAll(() => server.close());

function rowNames(): string[] {
  const list = screen.getByRole('list', { name: 'SSH keys' });
  return within(list)
    .getAllByRole('listitem')
    .map((row) => within(row).getByRole('heading').textContent);
}

describe('search', () => {
  it('finds keys by name, comment or a piece of the fingerprint, and says how many it shows', async () => {
    const { user } = renderApp();
    await screen.findByRole('list', { name: 'SSH keys' });
    expect(rowNames()).toHaveLength(60);
    expect(screen.getByRole('status')).toHaveTextContent('60 keys');

    const backup = screen.getByRole('listitem', { name: 'backup-03' });
    const fingerprint = within(backup).getByTitle(/^SHA256:/).textContent;
    const search = screen.getByRole('searchbox', { name: 'Search' });
    await user.type(search, 'SEQERA');
    await waitFor(() => expect(rowNames()).toHaveLength(10));
    expect(rowNames().every((name) => name.startsWith('seqera-'))).toBe(true);
    expect(screen.getByRole('status')).toHaveTextContent('10 of 60 keys');

    // The key Keysmith did not add has only its comment.
    await user.clear(search);
    await user.type(search, 'workstation');
    await waitFor(() => expect(rowNames()).toEqual(['ada@workstation']));

    await user.clear(search);
    await user.type(search, fingerprint.slice(7, 20));
    await waitFor(() => expect(rowNames()).toEqual(['backup-03']));

    await user.clear(search);
    await user.type(search, 'no such key');
    expect(await screen.findByText('No key matches “no such key”.')).toBeInTheDocument();
    expect(screen.queryByRole('list', { name: 'SSH keys' })).not.toBeInTheDocument();
  });
});

describe('sort', () => {
  it('orders by name, newest, expiry and last use; the file order by default', async () => {
    const memory = createMemoryKeyStore(sampleKeysFile(new Date(), 8));
    const usedAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
    server.resetHandlers(
      ...createHandlers({
        ...memory,
        // As a server reading sshd's log lists them: two keys used, at different times.
        list: async () => {
          const list = await memory.list();
          return {
            ...list,
            lastUseTracked: true,
            keys: list.keys.map((key) =>
              key.name === 'backup-03'
                ? { ...key, lastUsedAt: usedAgo(50), lastUsedFrom: '10.1.2.3' }
                : key.name === 'cluster-05'
                  ? { ...key, lastUsedAt: usedAgo(2), lastUsedFrom: '10.1.2.4' }
                  : key,
            ),
          };
        },
      }),
    );
    const { user } = renderApp();
    await screen.findByRole('list', { name: 'SSH keys' });
    const fileOrder = [0, 1, 2, 3, 4, 5, 6].map(sampleKeyName).concat(['ada@workstation']);
    expect(rowNames()).toEqual(fileOrder);

    const sort = screen.getByRole('combobox', { name: 'Sort by' });
    await user.selectOptions(sort, 'Name');
    expect(rowNames()).toEqual([
      'ada@workstation',
      'backup-03',
      'ci-02',
      'cluster-05',
      'desktop-04',
      'laptop-00',
      'laptop-06',
      'seqera-01',
    ]);

    // Newest first; the key without a date added last.
    await user.selectOptions(sort, 'Newest first');
    expect(rowNames()).toEqual([6, 5, 4, 3, 2, 1, 0].map(sampleKeyName).concat('ada@workstation'));

    // Expired first (the longest expired first), then the soonest; no expiry last, in file order.
    await user.selectOptions(sort, 'Expiring first');
    expect(rowNames()).toEqual([
      'laptop-06',
      'laptop-00',
      'seqera-01',
      'backup-03',
      'desktop-04',
      'cluster-05',
      'ci-02',
      'ada@workstation',
    ]);
    expect(screen.getByRole('listitem', { name: 'cluster-05' })).toHaveTextContent(
      'Last used 2 hours ago from 10.1.2.4',
    );
    expect(screen.getByRole('listitem', { name: 'ci-02' })).toHaveTextContent('Never used');

    await user.selectOptions(sort, 'Last used first');
    expect(rowNames()).toEqual([
      'cluster-05',
      'backup-03',
      'laptop-00',
      'seqera-01',
      'ci-02',
      'desktop-04',
      'laptop-06',
      'ada@workstation',
    ]);
  });
});

describe('site policy', () => {
  it("flags the keys that break the site's policy, with why; expired keys are not flagged", async () => {
    const policy: Policy = { ...NO_POLICY, maxLifetimeDays: 90, requireFrom: true };
    server.resetHandlers(
      ...createHandlers(createMemoryKeyStore(sampleKeysFile(new Date())), { policy }),
    );
    renderApp();
    await screen.findByRole('list', { name: 'SSH keys' });
    // No expiry and no source addresses: two reasons.
    const noExpiry = screen.getByRole('listitem', { name: 'ci-02' });
    await waitFor(() => expect(noExpiry).toHaveTextContent(/Against this site's policy/));
    expect(noExpiry).toHaveTextContent(
      "Against this site's policy: Keys may live at most 90 days here: choose an expiry date. Keys need a list of source addresses here",
    );
    // Expires within 90 days of being added, but has no from= list.
    expect(screen.getByRole('listitem', { name: 'seqera-01' })).toHaveTextContent(
      "Against this site's policy: Keys need a list of source addresses here",
    );
    expect(screen.getByRole('listitem', { name: 'seqera-01' })).not.toHaveTextContent('90 days');
    expect(screen.getByRole('listitem', { name: 'laptop-00' })).not.toHaveTextContent('policy');
  });
});
