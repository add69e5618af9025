import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { bcryptPbkdf } from '../crypto/bcrypt-pbkdf.ts';
import { KeyFormatError } from './errors.ts';
import { generateEd25519KeyPair } from '../crypto/keygen.ts';
import { decodePrivateKey, encodePrivateKey } from './private-key.ts';
import { SshReader, SshWriter, base64DecodeCanonical, base64Encode } from './wire.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'keysmith-kdf-options-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const END = '-----END OPENSSH PRIVATE KEY-----';

function fileBytes(text: string): Uint8Array {
  const bytes = base64DecodeCanonical(text.split('\n').slice(1, -2).join(''));
  if (bytes === null) throw new Error('not base64');
  return bytes;
}

function armour(bytes: Uint8Array): string {
  const lines = base64Encode(bytes).match(/.{1,70}/g) ?? [];
  return `${BEGIN}\n${lines.join('\n')}\n${END}\n`;
}

/** The same file with its KDF options field replaced (PROTOCOL.key: the third string). */
function withKdfOptions(text: string, kdfOptions: Uint8Array): string {
  const reader = new SshReader(fileBytes(text));
  const magic = reader.raw(15, 'magic');
  const cipher = reader.string('cipher');
  const kdf = reader.string('kdf');
  reader.string('kdf options');
  return armour(
    new SshWriter()
      .raw(magic)
      .string(cipher)
      .string(kdf)
      .string(kdfOptions)
      .raw(reader.rest())
      .bytes(),
  );
}

/** An encrypted key file whose KDF options hold `salt` and `rounds` (rounds kept small). */
async function encryptedWith(salt: Uint8Array, rounds: number, trailing = new Uint8Array(0)) {
  const pair = await generateEd25519KeyPair();
  const passphrase = 'kdf options';
  // The file's key and IV come from the salt and rounds written below, as ssh-keygen derives them.
  const keyIv =
    salt.length > 0 && rounds > 0
      ? bcryptPbkdf(new TextEncoder().encode(passphrase), salt, rounds, 48)
      : new Uint8Array(48);
  const text = await encodePrivateKey(pair, {
    comment: 'kdf',
    passphrase,
    rounds: 1,
    kdf: () => Promise.resolve(keyIv.slice()),
  });
  const options = new SshWriter().string(salt).uint32(rounds).raw(trailing).bytes();
  return { text: withKdfOptions(text, options), passphrase, pair, keyIv };
}

function sshKeygenReads(text: string, passphrase: string): boolean {
  const path = join(work, `key-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, text, { mode: 0o600 });
  const result = spawnSync('ssh-keygen', ['-y', '-P', passphrase, '-f', path], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return result.status === 0 && result.stdout.startsWith('ssh-ed25519 ');
}

async function refusal(promise: Promise<unknown>): Promise<KeyFormatError> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeyFormatError);
  return error as KeyFormatError;
}

describe('the bcrypt options of an encrypted key file (PROTOCOL.key, bcrypt_pbkdf.c)', () => {
  it('reads a salt of any non-empty length and the rounds, as ssh-keygen does', async () => {
    const salt = new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2]);
    const { text, passphrase, pair } = await encryptedWith(salt, 3);
    expect(sshKeygenReads(text, passphrase)).toBe(true);
    const kdf = vi.fn((pass: Uint8Array, s: Uint8Array, rounds: number, length: number) =>
      Promise.resolve(bcryptPbkdf(pass, s, rounds, length)),
    );
    const key = await decodePrivateKey(text, { passphrase, kdf });
    expect(kdf).toHaveBeenCalledWith(new TextEncoder().encode(passphrase), salt, 3, 48);
    expect(key.salt).toEqual(salt);
    expect(key.rounds).toBe(3);
    expect(key.seed).toEqual(pair.seed);
  });

  it('refuses an empty salt, as bcrypt_pbkdf does, without running the KDF', async () => {
    const { text, passphrase } = await encryptedWith(new Uint8Array(0), 3);
    expect(sshKeygenReads(text, passphrase)).toBe(false);
    const kdf = vi.fn(() => Promise.resolve(new Uint8Array(48)));
    const error = await refusal(decodePrivateKey(text, { passphrase, kdf }));
    expect(error.code).toBe('invalid-key');
    expect(error.message).toBe("The key's bcrypt options (salt, rounds) are damaged.");
    expect(kdf).not.toHaveBeenCalled();
  });

  it('refuses 0 rounds, as bcrypt_pbkdf does, without running the KDF', async () => {
    const { text, passphrase } = await encryptedWith(new Uint8Array(16).fill(1), 0);
    expect(sshKeygenReads(text, passphrase)).toBe(false);
    const kdf = vi.fn(() => Promise.resolve(new Uint8Array(48)));
    const error = await refusal(decodePrivateKey(text, { passphrase, kdf }));
    expect(error.message).toBe("The key's bcrypt options (salt, rounds) are damaged.");
    expect(kdf).not.toHaveBeenCalled();
  });

  it('refuses bytes after the rounds (ssh-keygen ignores them; no writer puts them there)', async () => {
    const salt = new Uint8Array(16).fill(2);
    const { text, passphrase } = await encryptedWith(salt, 1, new Uint8Array([0]));
    expect(sshKeygenReads(text, passphrase)).toBe(true);
    const error = await refusal(
      decodePrivateKey(text, { passphrase, kdf: () => Promise.resolve(new Uint8Array(48)) }),
    );
    expect(error.message).toBe("The key's bcrypt options (salt, rounds) are damaged.");
  });

  it('names the cut-short field of truncated options', async () => {
    const { text, passphrase } = await encryptedWith(new Uint8Array(16), 1);
    const noRounds = withKdfOptions(text, new SshWriter().string(new Uint8Array(16)).bytes());
    expect((await refusal(decodePrivateKey(noRounds, { passphrase }))).message).toMatch(
      /ends before its bcrypt rounds/,
    );
    const noSalt = withKdfOptions(text, new Uint8Array([0, 0, 0, 16, 1]));
    expect((await refusal(decodePrivateKey(noSalt, { passphrase }))).message).toMatch(
      /ends before its bcrypt salt/,
    );
  });

  it('returns the salt and the rounds of the golden ssh-keygen file', async () => {
    const text = readFileSync(`${fixtures}ed25519-pass-a16.key`, 'utf8');
    const passphrase = readFileSync(`${fixtures}ed25519-pass-a16.pass`, 'utf8');
    const seen: { salt: Uint8Array; rounds: number }[] = [];
    const key = await decodePrivateKey(text, {
      passphrase,
      kdf: (pass, salt, rounds, length) => {
        seen.push({ salt: salt.slice(), rounds });
        return Promise.resolve(bcryptPbkdf(pass, salt, rounds, length));
      },
    });
    expect(seen).toEqual([{ salt: key.salt, rounds: 16 }]);
    // The salt is a copy of its own, not a view that keeps the whole file's bytes alive.
    expect(key.salt?.buffer.byteLength).toBe(16);
  });
});

describe('the KDF a caller brings', () => {
  it('must return 48 bytes in a Uint8Array: anything else is a TypeError before decryption', async () => {
    const pair = await generateEd25519KeyPair();
    for (const output of [new Uint8Array(32), new Uint8Array(64), [...new Uint8Array(48)]]) {
      const kdf = () => Promise.resolve(output as Uint8Array);
      await expect(encodePrivateKey(pair, { comment: '', passphrase: 'p', kdf })).rejects.toThrow(
        new TypeError('the KDF must return a Uint8Array of 48 bytes'),
      );
    }
    const text = await encodePrivateKey(pair, {
      comment: '',
      passphrase: 'p',
      kdf: () => Promise.resolve(new Uint8Array(48)),
    });
    await expect(
      decodePrivateKey(text, { passphrase: 'p', kdf: () => Promise.resolve(new Uint8Array(47)) }),
    ).rejects.toThrow(TypeError);
  });

  it('has its result wiped when the seed turns out not to match the public key', async () => {
    const pair = await generateEd25519KeyPair();
    const derived = new Uint8Array(48).fill(7);
    const kdf = () => Promise.resolve(derived);
    await expect(
      encodePrivateKey(
        { seed: pair.seed, publicKey: new Uint8Array(32).fill(1) },
        { comment: '', passphrase: 'p', kdf },
      ),
    ).rejects.toThrow(/is not the public key of "seed"/);
    await vi.waitFor(() => {
      expect(derived).toEqual(new Uint8Array(48));
    });
  });

  it('is not started for a seed that is not 32 bytes', async () => {
    const pair = await generateEd25519KeyPair();
    const kdf = vi.fn(() => Promise.resolve(new Uint8Array(48)));
    await expect(
      encodePrivateKey(
        { seed: new Uint8Array(33), publicKey: pair.publicKey },
        { comment: '', passphrase: 'p', kdf },
      ),
    ).rejects.toThrow(new RangeError('"seed" must be 32 bytes, got 33'));
    await expect(
      encodePrivateKey(
        { seed: [...pair.seed] as unknown as Uint8Array, publicKey: pair.publicKey },
        { comment: '', passphrase: 'p', kdf },
      ),
    ).rejects.toThrow(new TypeError('"seed" must be a Uint8Array'));
    expect(kdf).not.toHaveBeenCalled();
  });
});
