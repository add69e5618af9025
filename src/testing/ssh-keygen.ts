/**
 * Test keys made and read by the real ssh-keygen (fast, and the ground truth for formats), for
 * the unit, component, interop and e2e tests alike.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestKey {
  /** Path of the private key file (0600), usable with `ssh -i`. */
  privatePath: string;
  /** The `.pub` line without its newline. */
  publicLine: string;
  /** What `ssh-keygen -lf` prints as the fingerprint. */
  fingerprint: string;
}

/** Makes a key pair with ssh-keygen in `dir` and reads its public line and fingerprint. */
export function makeTestKey(
  dir: string,
  name: string,
  options: { type?: 'ed25519' | 'rsa' | 'ecdsa'; comment?: string; rsaBits?: number } = {},
): TestKey {
  const privatePath = path.join(dir, name);
  const type = options.type ?? 'ed25519';
  execFileSync(
    'ssh-keygen',
    [
      '-q',
      '-t',
      type,
      ...(type === 'rsa' ? ['-b', String(options.rsaBits ?? 2048)] : []),
      '-N',
      '',
      '-C',
      options.comment ?? `${name}@keysmith-test`,
      '-f',
      privatePath,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], timeout: 30_000 },
  );
  const publicLine = fs.readFileSync(`${privatePath}.pub`, 'utf8').replace(/\n$/, '');
  const fingerprint = sshKeygenFingerprints(`${privatePath}.pub`)[0] ?? '';
  return { privatePath, publicLine, fingerprint };
}

/** A key pair as strings, for tests that need keys the page did not make; no file is left. */
export function sshKeygen(
  type: 'ed25519' | 'rsa' | 'ecdsa',
  comment: string,
): { publicKey: string; privateKey: string; fingerprint: string } {
  return inTemporaryDir((dir) => {
    // RSA at ssh-keygen's default size, as a person's own key would be.
    const key = makeTestKey(dir, 'key', { type, comment, rsaBits: 3072 });
    const privateKey = fs.readFileSync(key.privatePath, 'utf8');
    return { publicKey: key.publicLine, privateKey, fingerprint: key.fingerprint };
  });
}

/** The SHA256 fingerprints `ssh-keygen -lf FILE` prints, one per key it reads, in order. */
export function sshKeygenFingerprints(file: string): string[] {
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', file], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split(' ')[1] ?? '');
}

/** What `ssh-keygen -y` derives from a private key file (checks the page's key with the real tool). */
export function sshKeygenPublicFromPrivate(privateKey: string, passphrase = ''): string {
  return inTemporaryDir((dir) => {
    const file = path.join(dir, 'key');
    // ssh-keygen refuses a private key file that others can read.
    fs.writeFileSync(file, privateKey, { mode: 0o600 });
    return execFileSync('ssh-keygen', ['-y', '-P', passphrase, '-f', file], {
      encoding: 'utf8',
      timeout: 30_000,
    }).trimEnd();
  });
}

function inTemporaryDir<T>(use: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-ssh-keygen-'));
  try {
    return use(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
