import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { KeyFormatError } from './errors.ts';
import { generateEd25519KeyPair } from '../crypto/keygen.ts';
import { ed25519PublicBlob } from './public-key-blob.ts';
import { parsePublicKey } from './public-key-line.ts';
import { decodePrivateKey, encodePrivateKey, privateKeyPublicBlob } from './private-key.ts';
import { SshWriter, base64Encode } from './wire.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const read = (name: string) => readFileSync(fixtures + name, 'utf8');

function armour(bytes: Uint8Array): string {
  const lines = base64Encode(bytes).match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

async function refusal(promise: Promise<unknown>): Promise<KeyFormatError> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeyFormatError);
  return error as KeyFormatError;
}

function refusalSync(run: () => unknown): KeyFormatError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(KeyFormatError);
    return error as KeyFormatError;
  }
  throw new Error('expected a KeyFormatError');
}

// A pair made here, not decoded: a decode outside a test would count for every test at once.
const plain = await generateEd25519KeyPair();
const publicBlob = ed25519PublicBlob(plain.publicKey);

/** An unencrypted private section (PROTOCOL.key) from parts, padded to 8 bytes. */
function section(parts: {
  type?: string;
  publicKey?: Uint8Array;
  secret?: Uint8Array;
  comment?: Uint8Array;
}): Uint8Array {
  const body = new SshWriter()
    .uint32(5)
    .uint32(5)
    .string(parts.type ?? 'ssh-ed25519')
    .string(parts.publicKey ?? plain.publicKey)
    .string(parts.secret ?? new Uint8Array([...plain.seed, ...plain.publicKey]))
    .string(parts.comment ?? new TextEncoder().encode('c'))
    .bytes();
  const pad = (8 - (body.length % 8)) % 8;
  return new Uint8Array([...body, ...Array.from({ length: pad }, (_, i) => i + 1)]);
}

function file(privateSection: Uint8Array, blob = publicBlob): Uint8Array {
  return new SshWriter()
    .raw(new TextEncoder().encode('openssh-key-v1\0'))
    .string('none')
    .string('none')
    .string(new Uint8Array(0))
    .uint32(1)
    .string(blob)
    .string(privateSection)
    .bytes();
}

describe('decodePrivateKey names the field where a file is cut short', () => {
  const bytes = file(section({}));
  // Offsets of each field of the file above: magic 15, cipher 4+4, KDF 4+4, options 4+0, count 4.
  const cuts: [number, string][] = [
    [10, 'magic'],
    [17, 'cipher name'],
    [25, 'KDF name'],
    [33, 'KDF options'],
    [37, 'number of keys'],
    [43, 'public key'],
    [41 + 4 + publicBlob.length + 2, 'private section'],
  ];
  it.each(cuts)('at byte %i: "ends before its %s"', async (length, field) => {
    const error = await refusal(decodePrivateKey(armour(bytes.subarray(0, length))));
    expect(error.message).toBe(
      `The key is cut short (it ends before its ${field}): copy the whole file again.`,
    );
  });

  const head = () => new SshWriter().uint32(5).uint32(5);
  it.each([
    { field: 'key type', body: head().bytes() },
    { field: 'public key', body: head().string('ssh-ed25519').raw(new Uint8Array(1)).bytes() },
    {
      field: 'secret key',
      body: head()
        .string('ssh-ed25519')
        .string(plain.publicKey)
        .uint32(64)
        .raw(new Uint8Array(1))
        .bytes(),
    },
  ])('inside the private section: "ends before its $field"', async ({ field, body }) => {
    expect(body.length % 8).toBe(0);
    const error = await refusal(decodePrivateKey(armour(file(body))));
    expect(error.message).toBe(
      `The key is cut short (it ends before its ${field}): copy the whole file again.`,
    );
  });

  it('"check value" when the private section is empty', async () => {
    const error = await refusal(decodePrivateKey(armour(file(new Uint8Array(0)))));
    expect(error.message).toContain('ends before its check value');
  });
});

describe('decodePrivateKey checks the private section', () => {
  it('returns an ssh-ed25519 key whose arrays own their bytes', async () => {
    const key = await decodePrivateKey(armour(file(section({}))));
    expect(key.type).toBe('ssh-ed25519');
    expect(key.encrypted).toBe(false);
    expect(key.salt).toBeNull();
    expect(key.rounds).toBeNull();
    expect(key.checkint).toBe(5);
    // Views into the decoded file would keep the whole private section alive.
    expect(key.publicKey.buffer.byteLength).toBe(32);
    expect(key.seed.buffer.byteLength).toBe(32);
  });

  it('refuses a key type other than ssh-ed25519 inside', async () => {
    const error = await refusal(decodePrivateKey(armour(file(section({ type: 'ssh-rsa' })))));
    expect(error.message).toBe(
      'The private section does not hold an ssh-ed25519 key: the key is damaged.',
    );
  });

  it('refuses a public key or a secret of the wrong length', async () => {
    const shortPublic = section({
      publicKey: plain.publicKey.subarray(0, 31),
      secret: new Uint8Array([...plain.seed, ...plain.publicKey.subarray(0, 31)]),
    });
    const longSecret = section({ secret: new Uint8Array([...plain.seed, ...plain.publicKey, 0]) });
    for (const bad of [shortPublic, longSecret]) {
      const error = await refusal(decodePrivateKey(armour(file(bad))));
      expect(error.message).toBe(
        'The private key has the wrong length (PROTOCOL.key: 32-byte public, 64-byte secret).',
      );
    }
  });

  it('refuses a comment that is not UTF-8', async () => {
    const error = await refusal(
      decodePrivateKey(armour(file(section({ comment: new Uint8Array([0x66, 0xff]) })))),
    );
    expect(error.message).toBe('The key comment is not valid UTF-8.');
  });

  it('refuses a whole block of padding (1 to 8 after an aligned section)', async () => {
    const aligned = section({ comment: new TextEncoder().encode('cccc') });
    expect(aligned.length % 8).toBe(0);
    const padded = new Uint8Array([...aligned, 1, 2, 3, 4, 5, 6, 7, 8]);
    const error = await refusal(decodePrivateKey(armour(file(padded))));
    expect(error.message).toMatch(/padding is not 1, 2, 3/);
  });

  it('refuses a text that is not a string with a TypeError', async () => {
    await expect(decodePrivateKey(5 as unknown as string)).rejects.toThrow(
      new TypeError('"text" must be a string'),
    );
  });

  it('refuses a PKCS#8 key as PEM, with the command that converts it', async () => {
    const error = await refusal(
      decodePrivateKey('-----BEGIN PRIVATE KEY-----\nMC4CAQ\n-----END PRIVATE KEY-----\n'),
    );
    expect(error.code).toBe('unsupported');
    expect(error.message).toMatch(/PEM \(OpenSSL\).*ssh-keygen -p -f KEYFILE/);
  });

  it('says why it cannot decrypt without WebCrypto at all', async () => {
    const pair = await generateEd25519KeyPair();
    const kdf = () => Promise.resolve(new Uint8Array(48));
    const text = await encodePrivateKey(pair, { comment: '', passphrase: 'p', kdf });
    vi.stubGlobal('crypto', undefined);
    try {
      await expect(decodePrivateKey(text, { passphrase: 'p', kdf })).rejects.toThrow(
        /needs WebCrypto \(crypto.subtle\).*https/,
      );
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('privateKeyPublicBlob', () => {
  it('reads the public blob of a plain file, and says it is not encrypted', () => {
    const { blob, encrypted } = privateKeyPublicBlob(read('ed25519-plain.key'));
    expect(encrypted).toBe(false);
    expect(blob).toEqual(parsePublicKey(read('ed25519-plain.pub')).blob);
    expect(blob.buffer.byteLength).toBe(blob.length);
  });

  it('shows RSA keys from 1024 bits, as ssh-keygen -l does', () => {
    const rsa = parsePublicKey(read('rsa-2048.pub')).blob;
    expect(privateKeyPublicBlob(armour(file(section({}), rsa))).blob).toEqual(rsa);
    const short = read('rsa-1024-too-short.pub.txt').trim().split(/\s+/)[1] ?? '';
    const rsa1024 = Uint8Array.from(Buffer.from(short, 'base64'));
    expect(privateKeyPublicBlob(armour(file(section({}), rsa1024))).blob).toEqual(rsa1024);
  });

  it('refuses another magic, another key count and a file cut short, naming the field', () => {
    const bytes = file(section({}));
    const otherMagic = bytes.slice();
    otherMagic[13] = 0x32;
    expect(refusalSync(() => privateKeyPublicBlob(armour(otherMagic))).message).toMatch(
      /does not start with "openssh-key-v1"/,
    );
    const twoKeys = bytes.slice();
    twoKeys[36] = 2;
    expect(refusalSync(() => privateKeyPublicBlob(armour(twoKeys))).message).toBe(
      'The file does not hold exactly one key.',
    );
    for (const [length, field] of [
      [17, 'cipher name'],
      [25, 'KDF name'],
      [33, 'KDF options'],
      [37, 'number of keys'],
      [43, 'public key'],
    ] as const) {
      expect(
        refusalSync(() => privateKeyPublicBlob(armour(bytes.subarray(0, length)))).message,
      ).toBe(`The key is cut short (it ends before its ${field}): copy the whole file again.`);
    }
  });
});

describe('encodePrivateKey checks its inputs, naming the field', () => {
  const fakeKdf = () => Promise.resolve(new Uint8Array(48));

  it('types: comment, passphrase, salt', async () => {
    const pair = await generateEd25519KeyPair();
    await expect(encodePrivateKey(pair, { comment: 5 as unknown as string })).rejects.toThrow(
      new TypeError('"comment" must be a string'),
    );
    await expect(
      encodePrivateKey(pair, { comment: '', passphrase: 5 as unknown as string }),
    ).rejects.toThrow(new TypeError('"passphrase" must be a string'));
    await expect(
      encodePrivateKey(pair, {
        comment: '',
        passphrase: 'p',
        kdf: fakeKdf,
        salt: [...new Uint8Array(16)] as unknown as Uint8Array,
      }),
    ).rejects.toThrow(new TypeError('"salt" must be a Uint8Array'));
  });

  it('rounds: an integer from 1 to 4294967295', async () => {
    const pair = await generateEd25519KeyPair();
    for (const rounds of [0, -1, 1.5, 2 ** 32, Number.NaN]) {
      await expect(
        encodePrivateKey(pair, { comment: '', passphrase: 'p', kdf: fakeKdf, rounds }),
      ).rejects.toThrow(new RangeError('"rounds" must be an integer from 1 to 4294967295'));
    }
    for (const rounds of [1, 2 ** 32 - 1]) {
      const text = await encodePrivateKey(pair, {
        comment: '',
        passphrase: 'p',
        kdf: fakeKdf,
        rounds,
      });
      expect((await decodePrivateKey(text, { passphrase: 'p', kdf: fakeKdf })).rounds).toBe(rounds);
    }
  });

  it('checkint: an unsigned 32-bit integer', async () => {
    const pair = await generateEd25519KeyPair();
    for (const checkint of [-1, 1.5, 2 ** 32]) {
      await expect(encodePrivateKey(pair, { comment: '', checkint })).rejects.toThrow(
        new RangeError('"checkint" must be an unsigned 32-bit integer'),
      );
    }
    for (const checkint of [0, 2 ** 32 - 1]) {
      const text = await encodePrivateKey(pair, { comment: '', checkint });
      expect((await decodePrivateKey(text)).checkint).toBe(checkint);
    }
  });
});
