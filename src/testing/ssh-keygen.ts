/**
 * Test keys made by the real ssh-keygen (fast, and the ground truth for formats).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
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
  options: { type?: 'ed25519' | 'rsa' | 'ecdsa'; comment?: string } = {},
): TestKey {
  const privatePath = path.join(dir, name);
  const type = options.type ?? 'ed25519';
  execFileSync(
    'ssh-keygen',
    [
      '-q',
      '-t',
      type,
      ...(type === 'rsa' ? ['-b', '2048'] : []),
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
