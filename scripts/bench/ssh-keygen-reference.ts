/**
 * The native reference of figure 1: the wall time of
 * `ssh-keygen -q -t ed25519 -a 24 -N pass -f FILE` (key pair, bcrypt_pbkdf at 24 rounds,
 * aes256-ctr, both files written), as a user of the command line sees it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Milliseconds for one run of ssh-keygen making a passphrase-protected ed25519 key. */
export function timeSshKeygen(rounds = 24): number {
  const dir = mkdtempSync(join(tmpdir(), 'keysmith-bench-ssh-keygen-'));
  try {
    const file = join(dir, 'id_ed25519');
    const start = performance.now();
    execFileSync(
      'ssh-keygen',
      ['-q', '-t', 'ed25519', '-a', String(rounds), '-N', 'pass', '-C', 'bench', '-f', file],
      { stdio: 'ignore', timeout: 10_000 },
    );
    return performance.now() - start;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
