import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyFormatError } from './errors.ts';
import { fingerprintSha256 } from './fingerprint.ts';
import { keyTypeLabel, type PublicKey } from './key-types.ts';
import { parsePublicKeyBlob } from './public-key-blob.ts';
import { formatPublicKey, parsePublicKey } from './public-key-line.ts';
import { randomart } from './randomart.ts';
import { SshReader, SshWriter, base64Encode } from './wire.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const read = (name: string) => readFileSync(fixtures + name, 'utf8');
const pubFixtures = readdirSync(fixtures).filter((f) => f.endsWith('.pub'));

function fingerprintLine(key: PublicKey): string {
  return `${key.bits} ${fingerprintSha256(key.blob)} ${key.comment === '' ? 'no comment' : key.comment} (${keyTypeLabel(key.type)})`;
}

/** Asserts `fn` throws a KeyFormatError with this code whose message matches `pattern`. */
function expectKeyError(fn: () => unknown, code: KeyFormatError['code'], pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(KeyFormatError);
  expect((caught as KeyFormatError).code).toBe(code);
  expect((caught as KeyFormatError).message).toMatch(pattern);
}

const plain = parsePublicKey(read('ed25519-plain.pub'));
const ed25519Key = new SshReader(plain.blob);
ed25519Key.string('type');
const ed25519Point = ed25519Key.string('key');
const ecdsa = new SshReader(parsePublicKey(read('ecdsa-256.pub')).blob);
ecdsa.string('type');
ecdsa.string('curve');
const p256Point = ecdsa.string('point');

const line = (type: string, blob: Uint8Array, comment = 'c') =>
  `${type} ${base64Encode(blob)} ${comment}`;

describe('golden public keys made by ssh-keygen', () => {
  it('covers every key type', () => {
    const types = new Set(pubFixtures.map((f) => parsePublicKey(read(f)).type));
    expect([...types].sort()).toEqual([
      'ecdsa-sha2-nistp256',
      'ecdsa-sha2-nistp384',
      'ecdsa-sha2-nistp521',
      'sk-ecdsa-sha2-nistp256@openssh.com',
      'sk-ssh-ed25519@openssh.com',
      'ssh-ed25519',
      'ssh-rsa',
    ]);
  });

  it.each(pubFixtures)('%s: re-encodes byte for byte', (name) => {
    const text = read(name);
    expect(`${formatPublicKey(parsePublicKey(text))}\n`).toBe(text);
  });

  it.each(pubFixtures)(
    '%s: fingerprint and randomart equal the committed and the live ssh-keygen output',
    (name) => {
      const key = parsePublicKey(read(name));
      const ours = `${fingerprintLine(key)}\n${randomart(key.blob, key.type, key.bits)}\n`;
      expect(ours).toBe(read(`${name}.lv.txt`));
      expect(`${fingerprintLine(key)}\n`).toBe(read(`${name}.l.txt`));
      expect(ours).toBe(
        execFileSync('ssh-keygen', ['-lv', '-f', fixtures + name], { encoding: 'utf8' }),
      );
    },
  );

  it('reports sizes as ssh-keygen does', () => {
    expect(parsePublicKey(read('rsa-2048.pub')).bits).toBe(2048);
    expect(parsePublicKey(read('rsa-3072.pub')).bits).toBe(3072);
    expect(parsePublicKey(read('ecdsa-384.pub')).bits).toBe(384);
    expect(parsePublicKey(read('ecdsa-521.pub')).bits).toBe(521);
    expect(parsePublicKey(read('sk-ecdsa.pub')).bits).toBe(256);
  });

  it('keeps UTF-8 comments, and reads an empty one from the trailing space ssh-keygen writes', () => {
    expect(parsePublicKey(read('ed25519-utf8-comment.pub')).comment).toBe('Jürgen Åström – 鍵 🔑');
    expect(parsePublicKey(read('ed25519-empty-comment.pub')).comment).toBe('');
    expect(parsePublicKey(read('ed25519-long-comment.pub')).comment).toHaveLength(300);
  });

  it('tolerates one trailing LF or CRLF, a missing newline and no comment at all', () => {
    const bare = formatPublicKey(plain).replace(/ keysmith@example$/, '');
    for (const text of [bare, `${bare}\n`, `${bare}\r\n`, `${bare} keysmith@example\r\n`]) {
      const key = parsePublicKey(text);
      expect(key.blob).toEqual(plain.blob);
    }
    expect(parsePublicKey(bare).comment).toBe('');
  });
});

describe('fingerprintSha256', () => {
  it('is SHA256: and 43 unpadded base64 characters', () => {
    const fp = fingerprintSha256(plain.blob);
    expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(read('ed25519-plain.pub.l.txt')).toContain(fp);
  });
});

describe('parsePublicKey refuses malformed input and says why', () => {
  const good = formatPublicKey(plain);
  const [type, b64] = good.split(' ') as [string, string];

  it('empty text', () => {
    expectKeyError(() => parsePublicKey(''), 'invalid-key', /empty/);
    expectKeyError(() => parsePublicKey(' \n'), 'invalid-key', /empty/);
  });

  it('bad base64', () => {
    expectKeyError(
      () => parsePublicKey(`${type} ${b64.slice(0, 10)}!${b64.slice(11)} c`),
      'invalid-key',
      /not valid base64/,
    );
    expectKeyError(
      () => parsePublicKey(`${type} ${b64.slice(0, -1)} c`),
      'invalid-key',
      /not valid base64/,
    );
  });

  it('non-canonical base64 (non-zero unused bits)', () => {
    // The 74-byte sk-ed25519 blob ends in one `=`: its last data character carries 2 unused bits.
    const [skType, skB64] = read('sk-ed25519.pub').split(' ') as [string, string];
    expect(skB64).toMatch(/[^=]=$/);
    const last = skB64.at(-2) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const altered = alphabet.charAt(alphabet.indexOf(last) ^ 1);
    const text = `${skType} ${skB64.slice(0, -2)}${altered}= c`;
    expect(Buffer.from(text.split(' ')[1] ?? '', 'base64')).toEqual(Buffer.from(skB64, 'base64'));
    expectKeyError(() => parsePublicKey(text), 'invalid-key', /not canonical base64/);
  });

  it('a type that does not match the blob', () => {
    expectKeyError(
      () => parsePublicKey(`ssh-rsa ${b64} c`),
      'invalid-key',
      /says "ssh-rsa" but the key data holds a "ssh-ed25519"/,
    );
  });

  it('a truncated blob', () => {
    expectKeyError(
      () => parsePublicKey(line(type, plain.blob.subarray(0, 40))),
      'invalid-key',
      /cut short/,
    );
    expectKeyError(
      () => parsePublicKey(line(type, plain.blob.subarray(0, 2))),
      'invalid-key',
      /cut short/,
    );
  });

  it('trailing bytes after the key', () => {
    const blob = new SshWriter()
      .raw(plain.blob)
      .raw(new Uint8Array([0]))
      .bytes();
    expectKeyError(
      () => parsePublicKey(line(type, blob)),
      'invalid-key',
      /1 unexpected byte after the key/,
    );
  });

  it('an ed25519 key of the wrong length', () => {
    const blob = new SshWriter().string('ssh-ed25519').string(new Uint8Array(31)).bytes();
    expectKeyError(
      () => parsePublicKey(line('ssh-ed25519', blob)),
      'invalid-key',
      /must be 32 bytes but it is 31/,
    );
  });

  it('a short RSA key (1024 bits, made by ssh-keygen)', () => {
    expectKeyError(
      () => parsePublicKey(read('rsa-1024-too-short.pub.txt')),
      'invalid-key',
      /1024 bits; at least 2048/,
    );
    expect(parsePublicKeyBlob(parsePublicKey(read('rsa-2048.pub')).blob, 'ssh-rsa').bits).toBe(
      2048,
    );
  });

  it('RSA numbers that are negative or not minimal', () => {
    const n = new Uint8Array(257).fill(0xff);
    n[0] = 0;
    const negative = new SshWriter()
      .string('ssh-rsa')
      .string(new Uint8Array([0x81]))
      .string(n)
      .bytes();
    expectKeyError(
      () => parsePublicKey(line('ssh-rsa', negative)),
      'invalid-key',
      /exponent is negative/,
    );
    const padded = new SshWriter()
      .string('ssh-rsa')
      .string(new Uint8Array([0, 1, 0, 1]))
      .string(n)
      .bytes();
    expectKeyError(
      () => parsePublicKey(line('ssh-rsa', padded)),
      'invalid-key',
      /needless leading zero/,
    );
    const even = new SshWriter()
      .string('ssh-rsa')
      .string(new Uint8Array([4]))
      .string(n)
      .bytes();
    expectKeyError(
      () => parsePublicKey(line('ssh-rsa', even)),
      'invalid-key',
      /exponent is not valid/,
    );
  });

  it('an ECDSA key naming the wrong curve', () => {
    const blob = new SshWriter()
      .string('ecdsa-sha2-nistp384')
      .string('nistp256')
      .string(p256Point)
      .bytes();
    expectKeyError(
      () => parsePublicKey(line('ecdsa-sha2-nistp384', blob)),
      'invalid-key',
      /needs curve "nistp384" but the key data names "nistp256"/,
    );
  });

  it('an ECDSA point of the wrong length, compressed, or off the curve', () => {
    const short = new SshWriter()
      .string('ecdsa-sha2-nistp256')
      .string('nistp256')
      .string(p256Point.subarray(0, 64))
      .bytes();
    expectKeyError(
      () => parsePublicKey(line('ecdsa-sha2-nistp256', short)),
      'invalid-key',
      /must be 65 bytes starting with 0x04/,
    );
    const compressed = p256Point.slice();
    compressed[0] = 0x02;
    const c = new SshWriter()
      .string('ecdsa-sha2-nistp256')
      .string('nistp256')
      .string(compressed)
      .bytes();
    expectKeyError(
      () => parsePublicKey(line('ecdsa-sha2-nistp256', c)),
      'invalid-key',
      /starting with 0x04/,
    );
    const moved = p256Point.slice();
    moved[64] = (moved[64] ?? 0) ^ 1;
    const off = new SshWriter()
      .string('ecdsa-sha2-nistp256')
      .string('nistp256')
      .string(moved)
      .bytes();
    expectKeyError(
      () => parsePublicKey(line('ecdsa-sha2-nistp256', off)),
      'invalid-key',
      /not on the nistp256 curve/,
    );
  });

  it('a security key without its application string', () => {
    const blob = new SshWriter().string('sk-ssh-ed25519@openssh.com').string(ed25519Point).bytes();
    expectKeyError(
      () => parsePublicKey(line('sk-ssh-ed25519@openssh.com', blob)),
      'invalid-key',
      /cut short \(it ends before its application\)/,
    );
    const empty = new SshWriter()
      .string('sk-ssh-ed25519@openssh.com')
      .string(ed25519Point)
      .string('')
      .bytes();
    expectKeyError(
      () => parsePublicKey(line('sk-ssh-ed25519@openssh.com', empty)),
      'invalid-key',
      /application string is empty/,
    );
  });

  it.each([
    ['a tab', 'a\tb', /U\+0009/],
    ['an escape', 'a\u001b[31mred', /U\+001B/],
    ['DEL', 'a\u007f', /U\+007F/],
    ['a C1 control', 'a\u0085b', /U\+0085/],
    ['NUL', 'a\u0000', /U\+0000/],
    ['a lone surrogate', 'a\ud800b', /unpaired/],
  ])('control characters in the comment: %s', (_name, comment, pattern) => {
    expectKeyError(
      () => parsePublicKey(`${good.replace(/ keysmith@example$/, '')} ${comment}`),
      'invalid-key',
      pattern,
    );
  });

  it('two lines', () => {
    expectKeyError(() => parsePublicKey(`${good}\n${good}\n`), 'invalid-key', /more than one line/);
    expectKeyError(
      () => parsePublicKey(`${good}\rcommand="x" ${good}`),
      'invalid-key',
      /more than one line/,
    );
    expectKeyError(() => parsePublicKey(`${good}\n\n`), 'invalid-key', /more than one line/);
  });

  it('authorized_keys options or a host name before the key', () => {
    expectKeyError(
      () => parsePublicKey(`restrict,pty ${good}`),
      'invalid-key',
      /"restrict,pty" before the key type: options and host names are not allowed/,
    );
    expectKeyError(
      () => parsePublicKey(`command="rm -rf ~" ${good}`),
      'invalid-key',
      /before the key type/,
    );
  });

  it('a private key pasted instead of the public one', () => {
    expectKeyError(
      () => parsePublicKey(read('ed25519-plain.key')),
      'private-key',
      /private key.*\.pub file/,
    );
    for (const label of [
      'RSA PRIVATE KEY',
      'EC PRIVATE KEY',
      'PRIVATE KEY',
      'ENCRYPTED PRIVATE KEY',
    ]) {
      expectKeyError(
        () => parsePublicKey(`-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----\n`),
        'private-key',
        /never be shared/,
      );
    }
    expectKeyError(
      () => parsePublicKey('PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n'),
      'private-key',
      /private key/,
    );
  });

  it('unknown, refused and certificate key types', () => {
    expectKeyError(
      () => parsePublicKey(`ssh-foo ${b64} c`),
      'invalid-key',
      /does not start with a supported key type \("ssh-foo"\)/,
    );
    expectKeyError(() => parsePublicKey(`ssh-dss ${b64} c`), 'unsupported', /DSA keys/);
    expectKeyError(
      () => parsePublicKey(`ssh-ed25519-cert-v01@openssh.com ${b64} c`),
      'unsupported',
      /certificate/,
    );
    expectKeyError(() => parsePublicKey('ssh-ed25519'), 'invalid-key', /no key data/);
  });

  it('RFC 4716 and PEM public keys, with the conversion command', () => {
    expectKeyError(
      () =>
        parsePublicKey('---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n---- END SSH2 PUBLIC KEY ----\n'),
      'unsupported',
      /ssh-keygen -i/,
    );
    expectKeyError(
      () => parsePublicKey('-----BEGIN PUBLIC KEY-----\nMCow\n-----END PUBLIC KEY-----\n'),
      'unsupported',
      /-m PKCS8/,
    );
  });

  it('never throws anything but KeyFormatError on arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `${type} ${s}`),
          fc.string().map((s) => `${good.slice(0, 40)}${s}`),
        ),
        (text) => {
          try {
            parsePublicKey(text);
          } catch (error) {
            expect(error).toBeInstanceOf(KeyFormatError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never accepts a blob with a byte changed in its structure', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 18 }),
        fc.integer({ min: 1, max: 255 }),
        (at, delta) => {
          const blob = plain.blob.slice();
          blob[at] = ((blob[at] ?? 0) + delta) & 255;
          expect(() => parsePublicKey(line(type, blob))).toThrow(KeyFormatError);
        },
      ),
    );
  });
});

describe('formatPublicKey', () => {
  it('round-trips any printable comment', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.string({ unit: 'grapheme' }),
        (pk, raw) => {
          const comment = raw.replace(/\p{Cc}/gu, '').trim();
          const blob = new SshWriter().string('ssh-ed25519').string(pk).bytes();
          const key = parsePublicKey(formatPublicKey({ type: 'ssh-ed25519', blob, comment }));
          expect(key.blob).toEqual(blob);
          expect(key.comment).toBe(comment);
        },
      ),
    );
  });

  it('refuses a comment that could start a new authorized_keys line', () => {
    expect(() =>
      formatPublicKey({ ...plain, comment: 'x\ncommand="sh" ssh-ed25519 AAAA' }),
    ).toThrow(RangeError);
    expect(() => formatPublicKey({ ...plain, comment: 'x\r' })).toThrow(
      /"comment" must not contain control characters/,
    );
    expect(() => formatPublicKey({ ...plain, type: 'ssh-ed25519 x' })).toThrow(RangeError);
  });
});

describe('parsePublicKey: the edges of the line', () => {
  const good = formatPublicKey(plain);
  const [type, b64] = good.split(' ') as [string, string];

  it('skips leading spaces and tabs before the type', () => {
    expect(parsePublicKey(`  \t ${good}`)).toEqual(plain);
  });

  it('refuses two lines without a final newline, naming the problem', () => {
    expect(() => parsePublicKey(`${good}\n${good}`)).toThrow(
      'The text has more than one line: paste exactly one public key line (`type base64 comment`).',
    );
  });

  it('quotes every word before the key type and names the type found', () => {
    expect(() => parsePublicKey(`from="a"  no-pty\t${good}`)).toThrow(
      'The line has "from="a" no-pty" before the key type: options and host names are not allowed here. Paste only the key line, starting with ssh-ed25519.',
    );
  });

  it('reads a BEGIN marker inside a comment as a comment, not as an RFC 4716 or PEM key', () => {
    for (const comment of ['x---- BEGIN SSH2 PUBLIC KEY ----', 'x-----BEGIN PUBLIC KEY-----']) {
      expect(parsePublicKey(`${type} ${b64} ${comment}`).comment).toBe(comment);
    }
  });

  it('tells a certificate type from a word that only ends like one', () => {
    expectKeyError(
      () => parsePublicKey('ssh-ed25519-cert-v01@openssh.com AAAA'),
      'unsupported',
      /is an OpenSSH certificate/,
    );
    for (const word of [
      'X_ssh-ed25519-cert-v01@openssh.com',
      'ssh-ed25519-cert-v01@openssh.comX',
    ]) {
      expectKeyError(() => parsePublicKey(`${word} AAAA`), 'invalid-key', /supported key type/);
    }
  });

  it('calls padded base64 with altered final bits non-canonical', () => {
    expectKeyError(
      () => parsePublicKey(`${type} AB== c`),
      'invalid-key',
      /^The key data is not canonical base64/,
    );
  });

  it('refuses a bidirectional control in the comment, naming it', () => {
    expectKeyError(
      () => parsePublicKey(`${type} ${b64} admin\u202Eexe.txt`),
      'invalid-key',
      /\(U\+202E\), which can make it display as different text/,
    );
  });

  it('throws TypeError for arguments of the wrong type', () => {
    expect(() => parsePublicKey(42 as unknown as string)).toThrow('"text" must be a string');
    expect(() => formatPublicKey({ ...plain, type: 1 as unknown as string })).toThrow(
      '"type" must be a string',
    );
    expect(() => formatPublicKey({ ...plain, blob: 'x' as unknown as Uint8Array })).toThrow(
      '"blob" must be a Uint8Array',
    );
    expect(() => formatPublicKey({ ...plain, comment: null as unknown as string })).toThrow(
      '"comment" must be a string',
    );
    expect(() => formatPublicKey({ ...plain, type: 'ssh ed25519' })).toThrow(
      '"type" must be a key type name such as ssh-ed25519, not "ssh ed25519"',
    );
  });
});
