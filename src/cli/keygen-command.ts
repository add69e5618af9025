/**
 * `keysmith keygen --out PATH …`: makes an ed25519 key pair like `ssh-keygen -t ed25519`,
 * writing PATH (0600) and PATH.pub (0644) without ever leaving a partial file behind.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  lstatSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateEd25519KeyPair } from '../crypto/keygen.ts';
import { fingerprintSha256 } from '../openssh/fingerprint.ts';
import { ed25519PublicBlob } from '../openssh/public-key-blob.ts';
import { findControlCharacter, formatPublicKey } from '../openssh/public-key-line.ts';
import { encodePrivateKey } from '../openssh/private-key.ts';
import { UsageError, type CliIo } from './cli-io.ts';
import { createNodeKdf } from './kdf-runner.ts';

export const KEYGEN_HELP = `Usage: keysmith keygen --out PATH [--comment C] [--passphrase-file F] [--rounds N] [--force]

Makes an ed25519 key pair: the private key in PATH (mode 0600, OpenSSH format) and the public
key in PATH.pub (mode 0644), then prints its fingerprint as "ssh-keygen -l" does.

  --out PATH              where to write the private key (required)
  --comment C             key comment (default: USER@HOST)
  --passphrase-file F     encrypt with the passphrase in F (UTF-8; one trailing newline is
                          dropped). Without it the key is not encrypted.
  --rounds N              bcrypt KDF rounds (default 24, as OpenSSH 9.4+)
  --force                 replace PATH and PATH.pub if they exist
  -h, --help              show this help

Check the result with: ssh-keygen -y -f PATH
`;

/** A temporary file beside `path`, created exclusively with `mode` (not subject to umask). */
function writeTemp(path: string, text: string, mode: number): string {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', mode);
  try {
    fchmodSync(fd, mode);
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  return temp;
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function readPassphrase(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new Error(`cannot read the passphrase file ${file}: ${(error as Error).message}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`the passphrase file ${file} is not UTF-8 text`);
  }
  // Editors end files with a newline that is not part of the passphrase; drop exactly one.
  const passphrase = text.replace(/\r?\n$/, '');
  if (passphrase === '') {
    throw new Error(
      `the passphrase file ${file} is empty; leave out --passphrase-file for a key without a passphrase`,
    );
  }
  return passphrase;
}

/** Runs `keysmith keygen`; returns the exit code. */
export async function runKeygen(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        out: { type: 'string' },
        comment: { type: 'string' },
        'passphrase-file': { type: 'string' },
        rounds: { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message, 'keygen');
  }
  const flags = parsed.values;
  if (flags.help === true) {
    io.stdout(KEYGEN_HELP);
    return 0;
  }
  const out = flags.out;
  if (out === undefined || out === '') throw new UsageError('--out PATH is required', 'keygen');
  const comment = flags.comment ?? `${userInfo().username}@${hostname()}`;
  const bad = findControlCharacter(comment);
  if (bad !== null) {
    throw new UsageError(`--comment must not contain control characters (found ${bad})`, 'keygen');
  }
  let rounds: number | undefined;
  if (flags.rounds !== undefined) {
    rounds = /^\d{1,10}$/.test(flags.rounds) ? Number(flags.rounds) : NaN;
    if (!(rounds >= 1 && rounds <= 0xffffffff)) {
      throw new UsageError(
        '--rounds must be a whole number of at least 1 (OpenSSH uses 24)',
        'keygen',
      );
    }
  }
  const force = flags.force === true;
  const pubPath = `${out}.pub`;
  if (!force) {
    for (const path of [out, pubPath]) {
      if (exists(path)) {
        io.stderr(`keysmith keygen: ${path} already exists; use --force to replace it.\n`);
        return 1;
      }
    }
  }
  const passphrase =
    flags['passphrase-file'] === undefined ? undefined : readPassphrase(flags['passphrase-file']);

  const pair = await generateEd25519KeyPair();
  const kdf = createNodeKdf();
  let privateText: string;
  try {
    privateText = await encodePrivateKey(pair, { comment, passphrase, rounds, kdf });
  } finally {
    await kdf.terminate();
  }
  pair.seed.fill(0);
  const blob = ed25519PublicBlob(pair.publicKey);
  const publicText = `${formatPublicKey({ type: 'ssh-ed25519', blob, comment })}\n`;

  // Both files are complete on disk before either name appears; without --force, link(2)
  // refuses to replace a file that appeared meanwhile.
  const temps = [writeTemp(out, privateText, 0o600)];
  const placed: string[] = [];
  try {
    temps.push(writeTemp(pubPath, publicText, 0o644));
    for (const [temp, path] of [
      [temps[0], out],
      [temps[1], pubPath],
    ] as const) {
      if (temp === undefined) continue;
      if (force) renameSync(temp, path);
      else linkSync(temp, path);
      placed.push(path);
    }
  } catch (error) {
    if (!force) for (const path of placed) unlinkSync(path);
    throw new Error(`could not write ${out}: ${(error as Error).message}`);
  } finally {
    for (const temp of temps) if (exists(temp)) unlinkSync(temp);
  }
  io.stdout(
    `256 ${fingerprintSha256(blob)} ${comment === '' ? 'no comment' : comment} (ED25519)\n`,
  );
  return 0;
}
