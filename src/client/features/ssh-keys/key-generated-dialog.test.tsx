import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render as renderDom, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState, type ReactElement } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sshKeygen } from '../../../testing/ssh-keygen.ts';
import type { GeneratedKey } from './generated-key.ts';
import { KeyGeneratedDialog } from './key-generated-dialog.tsx';

const made = sshKeygen('ed25519', 'deploy-key');
const generated: GeneratedKey = {
  name: 'deploy-key',
  comment: 'deploy-key',
  privateKey: made.privateKey,
  publicKey: made.publicKey,
  fingerprint: made.fingerprint,
  randomart: '+--[ED25519 256]--+\n|       .         |\n+----[SHA256]-----+',
  encrypted: false,
};

/** The page's part: it holds the key while the dialog is open and forgets it on close. */
function Host() {
  const [key, setKey] = useState<GeneratedKey | null>(generated);
  const [removed, setRemoved] = useState(false);
  return key ? (
    <KeyGeneratedDialog
      generated={key}
      onClose={(wasRemoved) => {
        setRemoved(wasRemoved);
        setKey(null);
      }}
    />
  ) : (
    <p>Dialog closed, key dropped{removed ? ', public key removed' : ''}</p>
  );
}

function render(ui: ReactElement) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  return renderDom(<QueryClientProvider client={queryClient}>{ui}</QueryClientProvider>);
}

/** Every request the dialog sent, as "METHOD path"; `answer` says how the server responds. */
let requests: string[];
let answer: () => Promise<Response>;
beforeEach(() => {
  requests = [];
  answer = () => Promise.resolve(new Response(null, { status: 204 }));
  vi.stubGlobal('fetch', (path: string, init: RequestInit) => {
    requests.push(`${init.method ?? 'GET'} ${path}`);
    return answer();
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('SSH Key Generated', () => {
  it('asks before Escape throws away a key that was neither copied nor downloaded', async () => {
    const user = userEvent.setup();
    render(<Host />);
    const dialog = screen.getByRole('dialog', { name: 'SSH Key Generated' });
    expect(dialog).toHaveTextContent(
      'Copy or download the private key now. It will not be shown again',
    );

    await user.keyboard('{Escape}');
    const confirm = screen.getByRole('alertdialog', { name: 'Close without saving the key?' });
    expect(confirm).toHaveAccessibleDescription(/Once closed, it is gone for good/);
    await user.click(within(confirm).getByRole('button', { name: 'Go back' }));
    expect(
      screen.queryByRole('alertdialog', { name: 'Close without saving the key?' }),
    ).not.toBeInTheDocument();
    expect(screen.getByRole('dialog', { name: 'SSH Key Generated' })).toBeInTheDocument();

    // The Close button asks too; confirming drops the key, and its public half with it.
    await user.click(screen.getByRole('button', { name: 'Close' }));
    const again = screen.getByRole('alertdialog', { name: 'Close without saving the key?' });
    expect(
      within(again).getByRole('checkbox', { name: 'Also remove the key from the server' }),
    ).toBeChecked();
    await user.click(within(again).getByRole('button', { name: 'Close without saving' }));
    expect(
      await screen.findByText('Dialog closed, key dropped, public key removed'),
    ).toBeInTheDocument();
    expect(requests).toEqual([`DELETE /api/ssh-keys/${encodeURIComponent(made.fingerprint)}`]);
    expect(document.body.textContent).not.toContain(made.privateKey.split('\n')[1]);
  });

  it('leaves the public key in place when the box is unticked', async () => {
    const user = userEvent.setup();
    render(<Host />);
    await user.keyboard('{Escape}');
    await user.click(screen.getByRole('checkbox', { name: 'Also remove the key from the server' }));
    await user.click(screen.getByRole('button', { name: 'Close without saving' }));
    expect(screen.getByText('Dialog closed, key dropped')).toBeInTheDocument();
    expect(requests).toEqual([]);
  });

  it('stays open and says so when the key cannot be removed', async () => {
    answer = () => Promise.reject(new TypeError('Failed to fetch'));
    const user = userEvent.setup();
    render(<Host />);
    await user.keyboard('{Escape}');
    await user.click(screen.getByRole('button', { name: 'Close without saving' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Close without saving the key?' });
    expect(await within(confirm).findByRole('alert')).toHaveTextContent(
      'Could not remove the key: Keysmith is not reachable',
    );
    await waitFor(() =>
      expect(within(confirm).getByRole('button', { name: 'Close without saving' })).toBeEnabled(),
    );
    expect(
      screen.getByRole('heading', { name: 'SSH Key Generated', hidden: true }),
    ).toBeInTheDocument();
  });

  it('asks before a click outside closes it', async () => {
    const user = userEvent.setup();
    render(<Host />);
    const overlay = document.querySelector('.dialog-overlay');
    expect(overlay).not.toBeNull();
    await user.click(overlay as Element);
    expect(
      screen.getByRole('alertdialog', { name: 'Close without saving the key?' }),
    ).toBeInTheDocument();
    // Still there beneath the confirmation (which hides it from assistive tech while open).
    expect(
      screen.getByRole('heading', { name: 'SSH Key Generated', hidden: true }),
    ).toBeInTheDocument();
  });

  it('closes without asking once the private key was copied', async () => {
    const user = userEvent.setup();
    render(<Host />);
    await user.click(screen.getByRole('button', { name: 'Copy Private Key' }));
    expect(await navigator.clipboard.readText()).toBe(made.privateKey);
    expect(screen.getAllByRole('status')[0]).toHaveTextContent('Copied');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByText('Dialog closed, key dropped')).toBeInTheDocument();
  });

  it('downloads the key byte for byte (LF, final newline) under its name, with the chmod 600 hint', async () => {
    const blobs: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return 'blob:keysmith-test';
    });
    URL.revokeObjectURL = vi.fn();
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push(this);
    });
    const user = userEvent.setup();
    render(<Host />);
    await user.click(screen.getByRole('button', { name: 'Download' }));

    expect(clicked).toHaveLength(1);
    expect(clicked[0]?.download).toBe('deploy-key');
    expect(clicked[0]?.href).toBe('blob:keysmith-test');
    const blob = blobs[0];
    if (!blob) throw new Error('no Blob was made');
    const text = await blob.text();
    expect(text).toBe(made.privateKey);
    expect(text).not.toContain('\r');
    expect(text.endsWith('-----END OPENSSH PRIVATE KEY-----\n')).toBe(true);
    expect(screen.getByText(/chmod 600 ~\/\.ssh\/deploy-key/)).toBeInTheDocument();

    // Downloaded counts as saved: closing no longer asks.
    await user.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.getByText('Dialog closed, key dropped')).toBeInTheDocument();
  });

  it('shows the public key with its copy button, and the Key Information', async () => {
    const user = userEvent.setup();
    render(<Host />);
    const dialog = screen.getByRole('dialog', { name: 'SSH Key Generated' });
    expect(within(dialog).getByLabelText('Public key')).toHaveTextContent(made.publicKey);
    await user.click(within(dialog).getByRole('button', { name: 'Copy Public Key' }));
    expect(await navigator.clipboard.readText()).toBe(made.publicKey);
    expect(within(dialog).getByText(made.fingerprint)).toBeInTheDocument();
    expect(within(dialog).getByText('deploy-key', { selector: 'dd' })).toBeInTheDocument();
    // Randomart means little to most people: there on request only.
    const randomart = within(dialog).getByLabelText('Randomart of the key');
    expect(randomart).not.toBeVisible();
    await user.click(within(dialog).getByText('Show randomart'));
    expect(randomart).toBeVisible();
    expect(randomart).toHaveTextContent('+--[ED25519 256]--+');
    // Copying only the public key does not count as saving the private one.
    await user.keyboard('{Escape}');
    expect(
      screen.getByRole('alertdialog', { name: 'Close without saving the key?' }),
    ).toBeInTheDocument();
  });
});
