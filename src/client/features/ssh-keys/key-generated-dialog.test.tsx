import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
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
  return key ? (
    <KeyGeneratedDialog generated={key} onClose={() => setKey(null)} />
  ) : (
    <p>Dialog closed, key dropped</p>
  );
}

afterEach(() => vi.restoreAllMocks());

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

    // The Close button asks too; confirming drops the key.
    await user.click(screen.getByRole('button', { name: 'Close' }));
    await user.click(screen.getByRole('button', { name: 'Close without saving' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByText('Dialog closed, key dropped')).toBeInTheDocument();
    expect(document.body.textContent).not.toContain(made.privateKey.split('\n')[1]);
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
    expect(within(dialog).getByLabelText('Randomart of the key')).toHaveTextContent(
      '+--[ED25519 256]--+',
    );
    // Copying only the public key does not count as saving the private one.
    await user.keyboard('{Escape}');
    expect(
      screen.getByRole('alertdialog', { name: 'Close without saving the key?' }),
    ).toBeInTheDocument();
  });
});
