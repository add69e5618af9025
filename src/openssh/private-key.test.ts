import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { bcryptPbkdf } from '../crypto/bcrypt-pbkdf.ts';
import { KeyFormatError } from './errors.ts';
import { generateEd25519KeyPair } from '../crypto/keygen.ts';
import { fingerprintSha256 } from './fingerprint.ts';
import { keyTypeLabel } from './key-types.ts';
import { ed25519PublicBlob } from './public-key-blob.ts';
import { formatPublicKey, parsePublicKey } from './public-key-line.ts';
import type { Kdf } from '../crypto/kdf.ts';
import { decodePrivateKey, encodePrivateKey, privateKeyPublicBlob } from './private-key.ts';
import { looksLikePrivateKey } from './private-key-detect.ts';
import { randomart } from './randomart.ts';
import { SshWriter, base64Encode } from './wire.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const read = (name: string) => readFileSync(fixtures + name, 'utf8');
const keyFixtures = readdirSync(fixtures)
  .filter((f) => f.endsWith('.key'))
  .map((f) => f.slice(0, -4));

const work = mkdtempSync(join(tmpdir(), 'keysmith-private-key-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** The in-thread KDF, remembering results so one vector's decode and re-encode share a run. */
const memo = new Map<string, Uint8Array>();
const memoKdf: Kdf = (pass, salt, rounds, keyLength) => {
  const id = `${base64Encode(pass)}|${base64Encode(salt)}|${rounds}|${keyLength}`;
  const hit = memo.get(id) ?? bcryptPbkdf(pass, salt, rounds, keyLength);
  memo.set(id, hit);
  return Promise.resolve(hit.slice());
};

async function keyError(promise: Promise<unknown>): Promise<KeyFormatError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(KeyFormatError);
    return error as KeyFormatError;
  }
  throw new Error('expected a KeyFormatError');
}

function sshKeygen(
  args: string[],
  input?: string,
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('ssh-keygen', args, {
    encoding: 'utf8',
    input: input ?? '',
    timeout: 20_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function writeKey(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

describe('golden private keys made by ssh-keygen', () => {
  it('covers plain, passphrase at 16 and 24 rounds, UTF-8 passphrase, empty/long/UTF-8 comments', () => {
    expect(keyFixtures.sort()).toEqual([
      'ed25519-empty-comment',
      'ed25519-long-comment',
      'ed25519-pass-a16',
      'ed25519-pass-a24',
      'ed25519-plain',
      'ed25519-utf8-comment',
      'ed25519-utf8-pass',
    ]);
  });

  it.each(keyFixtures)('%s: decodes to the .pub key and re-encodes byte for byte', async (name) => {
    const text = read(`${name}.key`);
    const passphrase = existsSync(`${fixtures}${name}.pass`) ? read(`${name}.pass`) : undefined;
    const decoded = await decodePrivateKey(text, { passphrase, kdf: memoKdf });
    const pub = parsePublicKey(read(`${name}.pub`));
    expect(ed25519PublicBlob(decoded.publicKey)).toEqual(pub.blob);
    expect(decoded.comment).toBe(pub.comment);
    expect(decoded.encrypted).toBe(passphrase !== undefined);
    if (passphrase !== undefined) {
      expect(decoded.salt).toHaveLength(16);
      expect(decoded.rounds).toBe(name.endsWith('a24') ? 24 : 16);
    }
    const again = await encodePrivateKey(decoded, {
      comment: decoded.comment,
      passphrase,
      rounds: decoded.rounds ?? undefined,
      salt: decoded.salt ?? undefined,
      checkint: decoded.checkint,
      kdf: memoKdf,
    });
    expect(again).toBe(text);
  });

  it('reads the public key of an encrypted file without the passphrase', () => {
    const { blob, encrypted } = privateKeyPublicBlob(read('ed25519-pass-a24.key'));
    expect(encrypted).toBe(true);
    expect(blob).toEqual(parsePublicKey(read('ed25519-pass-a24.pub')).blob);
  });

  it('refuses a wrong or missing passphrase', async () => {
    const text = read('ed25519-pass-a16.key');
    const wrong = await keyError(
      decodePrivateKey(text, { passphrase: 'Correct horse battery staple' }),
    );
    expect(wrong.code).toBe('wrong-passphrase');
    expect(wrong.message).toMatch(/passphrase is wrong/);
    const missing = await keyError(decodePrivateKey(text));
    expect(missing.code).toBe('wrong-passphrase');
    expect(missing.message).toMatch(/encrypted: enter its passphrase/);
  });
});

describe('keys we make load in the real ssh-keygen', () => {
  const cases = [
    { source: 'webcrypto', passphrase: '', rounds: undefined },
    { source: 'tweetnacl', passphrase: '', rounds: undefined },
    { source: 'webcrypto', passphrase: 'correct horse', rounds: undefined },
    { source: 'tweetnacl', passphrase: 'pässwörd 鍵 🔑', rounds: 8 },
  ] as const;

  it.each(cases)(
    '$source key, passphrase "$passphrase": ssh-keygen -y gives our public key',
    async (c) => {
      const pair = await generateEd25519KeyPair({ forceFallback: c.source === 'tweetnacl' });
      expect(pair.source).toBe(c.source);
      const comment = `${c.source} Jürgen`;
      const text = await encodePrivateKey(pair, {
        comment,
        passphrase: c.passphrase,
        rounds: c.rounds,
      });
      expect(text.startsWith('-----BEGIN OPENSSH PRIVATE KEY-----\n')).toBe(true);
      expect(text.endsWith('\n-----END OPENSSH PRIVATE KEY-----\n')).toBe(true);
      const body = text.split('\n').slice(1, -2);
      expect(body.slice(0, -1).every((l) => l.length === 70)).toBe(true);
      expect((body.at(-1) ?? '').length).toBeLessThanOrEqual(70);

      const path = writeKey(`key-${c.source}-${c.passphrase.length}`, text);
      const publicLine = formatPublicKey({
        type: 'ssh-ed25519',
        blob: ed25519PublicBlob(pair.publicKey),
        comment,
      });
      const shown = sshKeygen(['-y', '-P', c.passphrase, '-f', path]);
      expect(shown.stderr).toBe('');
      expect(shown.stdout).toBe(`${publicLine}\n`);

      if (c.passphrase !== '') {
        const wrong = sshKeygen(['-y', '-P', `${c.passphrase}x`, '-f', path]);
        expect(wrong.status).not.toBe(0);
        expect(wrong.stderr).toMatch(/incorrect passphrase/);
        const back = await decodePrivateKey(text, { passphrase: c.passphrase });
        expect(back.rounds).toBe(c.rounds ?? 24);
        expect(back.seed).toEqual(pair.seed);
      }
    },
  );

  it('fingerprint and randomart equal ssh-keygen -lv; ssh-keygen -Y sign/verify work', async () => {
    const pair = await generateEd25519KeyPair();
    const comment = 'signer@keysmith';
    const blob = ed25519PublicBlob(pair.publicKey);
    const path = writeKey('signer', await encodePrivateKey(pair, { comment }));
    writeFileSync(`${path}.pub`, `${formatPublicKey({ type: 'ssh-ed25519', blob, comment })}\n`);
    const lv = execFileSync('ssh-keygen', ['-lv', '-f', `${path}.pub`], { encoding: 'utf8' });
    expect(lv).toBe(
      `256 ${fingerprintSha256(blob)} ${comment} (${keyTypeLabel('ssh-ed25519')})\n${randomart(blob, 'ssh-ed25519', 256)}\n`,
    );

    const data = join(work, 'data.txt');
    writeFileSync(data, 'signed by keysmith\n');
    const signed = sshKeygen(['-Y', 'sign', '-f', path, '-n', 'file', data]);
    expect(signed.status).toBe(0);
    const signers = join(work, 'allowed_signers');
    writeFileSync(signers, `me@example ssh-ed25519 ${base64Encode(blob)}\n`);
    const verified = sshKeygen(
      ['-Y', 'verify', '-f', signers, '-I', 'me@example', '-n', 'file', '-s', `${data}.sig`],
      'signed by keysmith\n',
    );
    expect(verified.stdout).toMatch(
      /Good "file" signature for me@example with ED25519 key SHA256:/,
    );
    expect(verified.stdout).toContain(fingerprintSha256(blob));
    expect(verified.status).toBe(0);
    const tampered = sshKeygen(
      ['-Y', 'verify', '-f', signers, '-I', 'me@example', '-n', 'file', '-s', `${data}.sig`],
      'signed by someone else\n',
    );
    expect(tampered.status).not.toBe(0);
  });
});

/** Assembles an openssh-key-v1 file from parts, to make each malformed case. */
function assemble(parts: {
  magic?: string;
  cipher?: string;
  kdf?: string;
  kdfOptions?: Uint8Array;
  count?: number;
  publicBlob: Uint8Array;
  section: Uint8Array;
  trailing?: Uint8Array;
}): string {
  const file = new SshWriter()
    .raw(new TextEncoder().encode(parts.magic ?? 'openssh-key-v1\0'))
    .string(parts.cipher ?? 'none')
    .string(parts.kdf ?? 'none')
    .string(parts.kdfOptions ?? new Uint8Array(0))
    .uint32(parts.count ?? 1)
    .string(parts.publicBlob)
    .string(parts.section)
    .raw(parts.trailing ?? new Uint8Array(0))
    .bytes();
  const lines = base64Encode(file).match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

describe('decodePrivateKey refuses malformed files and says why', async () => {
  const plain = read('ed25519-plain.key');
  const good = await decodePrivateKey(plain);
  const publicBlob = ed25519PublicBlob(good.publicKey);
  const section = (options: { check2?: number; seed?: Uint8Array; padding?: number[] } = {}) => {
    const body = new SshWriter()
      .uint32(7)
      .uint32(options.check2 ?? 7)
      .string('ssh-ed25519')
      .string(good.publicKey)
      .string(new Uint8Array([...(options.seed ?? good.seed), ...good.publicKey]))
      .string('c')
      .bytes();
    // 8 + 15 + 36 + 68 + 5 = 132 bytes: 4 bytes of padding reach a multiple of 8.
    return new Uint8Array([...body, ...(options.padding ?? [1, 2, 3, 4])]);
  };
  const expectRefusal = async (text: string, code: KeyFormatError['code'], pattern: RegExp) => {
    const error = await keyError(decodePrivateKey(text, { passphrase: 'x' }));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(pattern);
  };

  it('accepts the hand-assembled baseline', async () => {
    const key = await decodePrivateKey(assemble({ publicBlob, section: section() }));
    expect(key.comment).toBe('c');
    expect(key.seed).toEqual(good.seed);
  });

  it('armour: CRLF, no final newline, one line, missing END, text around it, not base64', async () => {
    await expectRefusal(plain.replace(/\n/g, '\r\n'), 'invalid-key', /CRLF/);
    await expectRefusal(plain.slice(0, -1), 'invalid-key', /does not end with a newline/);
    await expectRefusal(plain.replace(/\n/g, ''), 'invalid-key', /all on one line/);
    await expectRefusal(plain.replace(/\n/g, ' '), 'invalid-key', /all on one line/);
    await expectRefusal(
      plain.split('\n').slice(0, 3).join('\n'),
      'invalid-key',
      /no -----END OPENSSH PRIVATE KEY----- line/,
    );
    await expectRefusal(`Here is my key:\n${plain}`, 'invalid-key', /text before/);
    await expectRefusal(`${plain}more\n`, 'invalid-key', /text after/);
    await expectRefusal(plain.replace(/\n(.{10})/, '\n$1 '), 'invalid-key', /not base64/);
    await expectRefusal(plain.replace(/\n(.{10})./, '\n$1'), 'invalid-key', /not valid base64/);
  });

  it('other formats: PEM, PuTTY, a public key, random text', async () => {
    await expectRefusal(
      '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n',
      'unsupported',
      /PEM.*ssh-keygen -p/,
    );
    await expectRefusal('PuTTY-User-Key-File-3: ssh-ed25519\n', 'unsupported', /puttygen/);
    await expectRefusal(read('ed25519-plain.pub'), 'invalid-key', /not an OpenSSH private key/);
  });

  it('structure: magic, cipher, KDF, key count, key type, truncation, trailing bytes', async () => {
    await expectRefusal(
      assemble({ magic: 'openssh-key-v2\0', publicBlob, section: section() }),
      'invalid-key',
      /openssh-key-v1/,
    );
    await expectRefusal(
      assemble({ cipher: 'aes128-cbc', kdf: 'bcrypt', publicBlob, section: section() }),
      'unsupported',
      /"aes128-cbc".*ssh-keygen -p -Z aes256-ctr/,
    );
    await expectRefusal(
      assemble({ cipher: 'aes256-ctr', kdf: 'scrypt', publicBlob, section: section() }),
      'unsupported',
      /key derivation "scrypt"/,
    );
    await expectRefusal(
      assemble({ cipher: 'none', kdf: 'bcrypt', publicBlob, section: section() }),
      'invalid-key',
      /cipher "none" with KDF "bcrypt"/,
    );
    await expectRefusal(
      assemble({
        cipher: 'aes256-ctr',
        kdf: 'bcrypt',
        kdfOptions: new SshWriter().string(new Uint8Array(16)).bytes(),
        publicBlob,
        section: section(),
      }),
      'invalid-key',
      /cut short \(it ends before its bcrypt rounds\)/,
    );
    await expectRefusal(
      assemble({ kdfOptions: new Uint8Array(4), publicBlob, section: section() }),
      'invalid-key',
      /unencrypted key has KDF options/,
    );
    await expectRefusal(
      assemble({ count: 2, publicBlob, section: section() }),
      'unsupported',
      /holds 2 keys/,
    );
    const rsa = parsePublicKey(read('rsa-2048.pub')).blob;
    await expectRefusal(
      assemble({ publicBlob: rsa, section: section() }),
      'unsupported',
      /ssh-rsa private key; Keysmith handles ed25519 keys only/,
    );
    await expectRefusal(
      assemble({ publicBlob, section: section(), trailing: new Uint8Array(3) }),
      'invalid-key',
      /3 unexpected bytes after/,
    );
    await expectRefusal(
      assemble({ publicBlob, section: section().subarray(0, 40) }),
      'invalid-key',
      /cut short/,
    );
    await expectRefusal(
      assemble({ publicBlob, section: section({ padding: [1, 2, 3] }) }),
      'invalid-key',
      /not a multiple of 8 bytes/,
    );
  });

  it('private section: check values, key mismatch, padding', async () => {
    await expectRefusal(
      assemble({ publicBlob, section: section({ check2: 8 }) }),
      'invalid-key',
      /check values differ/,
    );
    await expectRefusal(
      assemble({ publicBlob, section: section({ seed: new Uint8Array(32) }) }),
      'invalid-key',
      /does not match its public key/,
    );
    await expectRefusal(
      assemble({ publicBlob, section: section({ padding: [1, 2, 4, 3] }) }),
      'invalid-key',
      /padding is not 1, 2, 3/,
    );
    await expectRefusal(
      assemble({
        publicBlob,
        section: section({ padding: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] }),
      }),
      'invalid-key',
      /padding/,
    );
    const otherBlob = ed25519PublicBlob(new Uint8Array(32).fill(1));
    await expectRefusal(
      assemble({ publicBlob: otherBlob, section: section() }),
      'invalid-key',
      /does not match its public key/,
    );
  });
});

describe('encodePrivateKey', () => {
  it('pads an encrypted section to 16 bytes and an unencrypted one to 8 (PROTOCOL.key)', async () => {
    const pair = await generateEd25519KeyPair();
    const fakeKdf: Kdf = () => Promise.resolve(new Uint8Array(48).fill(5));
    for (const comment of ['', 'a', 'abcdefgh', 'x'.repeat(13)]) {
      const encrypted = await encodePrivateKey(pair, { comment, passphrase: 'p', kdf: fakeKdf });
      const back = await decodePrivateKey(encrypted, { passphrase: 'p', kdf: fakeKdf });
      expect(back.comment).toBe(comment);
      const plainText = await encodePrivateKey(pair, { comment });
      expect((await decodePrivateKey(plainText)).comment).toBe(comment);
    }
  });

  it('writes random salt and checkint each time', async () => {
    const pair = await generateEd25519KeyPair();
    const fakeKdf: Kdf = () => Promise.resolve(new Uint8Array(48));
    const a = await decodePrivateKey(
      await encodePrivateKey(pair, { comment: '', passphrase: 'p', kdf: fakeKdf }),
      { passphrase: 'p', kdf: fakeKdf },
    );
    const b = await decodePrivateKey(
      await encodePrivateKey(pair, { comment: '', passphrase: 'p', kdf: fakeKdf }),
      { passphrase: 'p', kdf: fakeKdf },
    );
    expect(a.salt).not.toEqual(b.salt);
    expect(a.checkint).not.toBe(b.checkint);
  });

  it('refuses bad inputs, naming the field', async () => {
    const pair = await generateEd25519KeyPair();
    await expect(
      encodePrivateKey({ ...pair, seed: new Uint8Array(31) }, { comment: '' }),
    ).rejects.toThrow(/"seed" must be 32 bytes/);
    await expect(
      encodePrivateKey({ ...pair, publicKey: new Uint8Array(32) }, { comment: '' }),
    ).rejects.toThrow(/is not the public key of "seed"/);
    await expect(encodePrivateKey(pair, { comment: 'a\nb' })).rejects.toThrow(
      /"comment" must not contain control characters/,
    );
    await expect(
      encodePrivateKey(pair, { comment: '', passphrase: 'p', salt: new Uint8Array(8) }),
    ).rejects.toThrow(/"salt" must be 16 bytes/);
    await expect(
      encodePrivateKey(pair, { comment: '', passphrase: 'p', rounds: 0 }),
    ).rejects.toThrow(/"rounds"/);
    await expect(encodePrivateKey(pair, { comment: '', passphrase: '\ud800' })).rejects.toThrow(
      /"passphrase" must be valid Unicode/,
    );
    await expect(encodePrivateKey(pair, { comment: '', checkint: -1 })).rejects.toThrow(
      /"checkint"/,
    );
  });
});

describe('without crypto.subtle (a browser page on plain http)', () => {
  it('still makes unencrypted keys, and says why it cannot encrypt', async () => {
    const getRandomValues = crypto.getRandomValues.bind(crypto);
    vi.stubGlobal('crypto', { getRandomValues });
    try {
      const pair = await generateEd25519KeyPair();
      expect(pair.source).toBe('tweetnacl');
      const text = await encodePrivateKey(pair, { comment: 'http' });
      expect((await decodePrivateKey(text)).seed).toEqual(pair.seed);
      const fakeKdf: Kdf = () => Promise.resolve(new Uint8Array(48));
      await expect(
        encodePrivateKey(pair, { comment: '', passphrase: 'p', kdf: fakeKdf }),
      ).rejects.toThrow(/needs WebCrypto \(crypto.subtle\).*https/);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('looksLikePrivateKey', () => {
  it('recognises private keys of every common format, and nothing else', () => {
    expect(looksLikePrivateKey(read('ed25519-plain.key'))).toBe(true);
    for (const label of [
      'RSA PRIVATE KEY',
      'EC PRIVATE KEY',
      'DSA PRIVATE KEY',
      'PRIVATE KEY',
      'ENCRYPTED PRIVATE KEY',
    ]) {
      expect(looksLikePrivateKey(`  -----BEGIN ${label}-----\nMII\n`)).toBe(true);
    }
    expect(looksLikePrivateKey('PuTTY-User-Key-File-2: ssh-rsa\n')).toBe(true);
    expect(looksLikePrivateKey('---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\n')).toBe(true);
    expect(looksLikePrivateKey(read('ed25519-plain.pub'))).toBe(false);
    expect(looksLikePrivateKey('-----BEGIN PUBLIC KEY-----\n')).toBe(false);
  });
});
