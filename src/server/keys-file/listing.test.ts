import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519PublicBlob } from '../../openssh/public-key-blob.ts';
import { formatPublicKey, parsePublicKey as parseLine } from '../../openssh/public-key-line.ts';
import { addKey, addKeyToModel, removeKey, removeKeyFromModel } from './edits.ts';
import { joinLines } from './lines.ts';
import { listIgnoredLines, listingValidity, listKeys, listModelKeys } from './listing.ts';
import { readModel } from './model.ts';
import { KeyStoreError } from '../store/key-store.ts';
import { makeTestKey, sshKeygenFingerprints, type TestKey } from '../../testing/ssh-keygen.ts';

let dir: string;
let ed: TestKey;
let ed2: TestKey;
let rsa: TestKey;
let ecdsa: TestKey;
const now = new Date('2026-03-04T05:06:07.890Z');

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-model-'));
  ed = makeTestKey(dir, 'ed', { comment: 'ada@laptop' });
  ed2 = makeTestKey(dir, 'ed2');
  rsa = makeTestKey(dir, 'rsa', { type: 'rsa', comment: 'rsa key with spaces' });
  ecdsa = makeTestKey(dir, 'ecdsa', { type: 'ecdsa' });
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('listKeys', () => {
  it('finds the keys ssh-keygen finds, with the same fingerprints, in a mixed file', () => {
    const text = `# comment\n\n${rsa.publicLine}\r\nrestrict,pty ${ed.publicLine}\nnot a key\nfrom="10.0.0.1" ${ecdsa.publicLine}`;
    const file = path.join(dir, 'mixed');
    fs.writeFileSync(file, text);
    const keys = listKeys(text, now);
    expect(keys.map((key) => key.fingerprint)).toEqual(sshKeygenFingerprints(file));
    expect(keys.map((key) => [key.type, key.bits, key.line, key.access])).toEqual([
      ['ssh-rsa', 2048, 3, 'full'],
      ['ssh-ed25519', 256, 4, 'interactive'],
      ['ecdsa-sha2-nistp256', 256, 6, 'full'],
    ]);
    expect(keys[0]?.comment).toBe('rsa key with spaces');
    expect(keys[2]?.options.from).toEqual(['10.0.0.1']);
    expect(keys.every((key) => !key.managed && key.name === null)).toBe(true);
  });

  it('decodes foreign options and calls them custom access', () => {
    const [key] = listKeys(`no-pty,command="echo \\"hi\\"" ${rsa.publicLine}\n`, now);
    expect(key?.options).toEqual({
      restrict: false,
      pty: false,
      from: null,
      expiryTime: null,
      command: 'echo "hi"',
      raw: ['no-pty', 'command="echo \\"hi\\""'],
    });
    expect(key?.access).toBe('custom');
  });

  it('lists a foreign key whose comment holds control characters (sshd ignores comments)', () => {
    const text = `# a\n${ed.publicLine}\u0001\tend\u0085\n${rsa.publicLine}\n`;
    const keys = listKeys(text, now);
    expect(keys.map((key) => key.fingerprint)).toEqual([ed.fingerprint, rsa.fingerprint]);
    expect(keys[0]?.comment).toBe('ada@laptop\uFFFD end\uFFFD');
    expect(removeKey(text, ed.fingerprint)).toBe(`# a\n${rsa.publicLine}\n`);
  });

  it('reads Keysmith metadata only directly above the key', () => {
    const meta = '# keysmith name=laptop added=2026-01-02T03:04:05Z';
    const keys = listKeys(`${meta}\n${ed.publicLine}\n${meta}\n\n${rsa.publicLine}\n`, now);
    expect(keys.map((key) => [key.managed, key.name, key.addedAt])).toEqual([
      [true, 'laptop', '2026-01-02T03:04:05Z'],
      [false, null, null],
    ]);
  });

  it('marks a key expired once its expiry-time has passed', () => {
    const text = `expiry-time="20260304050606Z" ${ed.publicLine}\nexpiry-time="20260304050608Z" ${rsa.publicLine}\n`;
    const keys = listKeys(text, now);
    expect(keys.map((key) => [key.expiresAt, key.expired])).toEqual([
      ['2026-03-04T05:06:06.000Z', true],
      ['2026-03-04T05:06:08.000Z', false],
    ]);
  });
});

describe('many keys', () => {
  it('each keep their own key bytes through adds and removes', () => {
    const lines = Array.from({ length: 1500 }, (_, i) => {
      const spki = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
      // An Ed25519 SubjectPublicKeyInfo (RFC 8410 §4) ends with the 32-byte public key.
      const blob = ed25519PublicBlob(new Uint8Array(spki.subarray(spki.length - 32)));
      return formatPublicKey({ type: 'ssh-ed25519', blob, comment: `k${i}` }).trimEnd();
    });
    const text = `${lines.join('\n')}\n`;
    const listed = listKeys(text, now);
    expect(listed.map((k) => k.publicKey)).toEqual(lines);
    // Added and removed keys read back the same after the packed ones.
    let model = readModel(text);
    model = addKeyToModel(model, { publicKey: ed.publicLine }, now).model;
    model = removeKeyFromModel(model, listed[700]?.fingerprint ?? '');
    expect(listModelKeys(model, now).map((k) => k.publicKey)).toEqual([
      ...lines.slice(0, 700),
      ...lines.slice(701),
      ed.publicLine,
    ]);
  });
});

describe('listingValidity', () => {
  it('says for how long a listing stays exact: until the next expiry, after the last one', () => {
    const model = readModel(
      [
        `expiry-time="20260304050607Z" ${rsa.publicLine}`,
        `expiry-time="20300101Z" ${ecdsa.publicLine}`,
        `expiry-time="20200101Z" ${ed2.publicLine}`,
        ed.publicLine,
        '',
      ].join('\n'),
    );
    const at = new Date('2027-01-01T00:00:00Z');
    const keys = listModelKeys(model, at);
    const { validAfter, validUntil } = listingValidity(keys, at.getTime());
    expect(keys.map((key) => key.expired)).toEqual([true, false, true, false]);
    expect(validAfter).toBe(Date.parse('2026-03-04T05:06:07Z'));
    expect(validUntil).toBe(Date.parse('2030-01-01T00:00:00Z'));
    // At the bounds the flags are still those of `at`; one ms beyond, one flips.
    for (const [time, same] of [
      [validAfter, false],
      [validAfter + 1, true],
      [validUntil, true],
      [validUntil + 1, false],
    ] as const) {
      const flags = listModelKeys(model, new Date(time)).map((k) => k.expired);
      expect(flags.every((flag, i) => flag === keys[i]?.expired)).toBe(same);
    }
  });
});

describe('listingValidity at an expiry', () => {
  it('keeps a key expiring at the very time listed as not expired, until that time', () => {
    const at = new Date('2030-01-01T00:00:00Z');
    const keys = listKeys(`expiry-time="20300101Z" ${ed.publicLine}\n`, at);
    expect(keys[0]?.expired).toBe(false);
    expect(listingValidity(keys, at.getTime())).toEqual({
      validAfter: -Infinity,
      validUntil: at.getTime(),
    });
  });
});

/** The review's lines that sshd 9.2 logs in with, each built around one of the test keys. */
function lenientLines(): { line: string; key: () => TestKey; flag: string }[] {
  const words = (key: TestKey) => key.publicLine.split(' ');
  const base64 = (key: TestKey) => words(key)[1] ?? '';
  const withBlanks = (key: TestKey, blank: string) =>
    `${base64(key).slice(0, 20)}${blank}${base64(key).slice(20)}`;
  return [
    {
      line: `ssh-ed25519 ${withBlanks(ed, '\r')} c`,
      key: () => ed,
      flag: 'key-encoding',
    },
    {
      line: `ssh-ed25519 ${withBlanks(ed, '\v')} c`,
      key: () => ed,
      flag: 'key-encoding',
    },
    {
      line: `ssh-ed25519 ${withBlanks(ed, '\f')} c`,
      key: () => ed,
      flag: 'key-encoding',
    },
    {
      line: `ssh-ed25519 ${base64(ed)}\0junk`,
      key: () => ed,
      flag: 'nul',
    },
    {
      line: `rsa-sha2-256 ${base64(rsa)} c`,
      key: () => rsa,
      flag: 'type-alias',
    },
    {
      line: `expiry-time="20991231Utc" ${ed.publicLine}`,
      key: () => ed,
      flag: 'option-spelling',
    },
    {
      line: `expiry-time="2099 1 1" ${ed.publicLine}`,
      key: () => ed,
      flag: 'option-spelling',
    },
    {
      line: `tunnel="ANY" ${ed.publicLine}`,
      key: () => ed,
      flag: 'option-spelling',
    },
    {
      line: `permitopen="localhost:+22" ${ed.publicLine}`,
      key: () => ed,
      flag: 'option-spelling',
    },
    {
      line: `ssh-rsa ${rsaWithLeadingZero(base64(rsa))} c`,
      key: () => rsa,
      flag: 'key-encoding',
    },
  ];
}

/** The same RSA key with one more zero byte before its modulus (sshd trims it). */
function rsaWithLeadingZero(base64: string): string {
  const blob = Buffer.from(base64, 'base64');
  const eLength = blob.readUInt32BE(11);
  const nAt = 15 + eLength;
  const nLength = blob.readUInt32BE(nAt);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(nLength + 1);
  return Buffer.concat([
    blob.subarray(0, nAt),
    length,
    Buffer.from([0]),
    blob.subarray(nAt + 4),
  ]).toString('base64');
}

const VARIANT_LABELS = [
  'CR inside the base64',
  'VT inside the base64',
  'FF inside the base64',
  'a NUL after the base64',
  'the type name rsa-sha2-256',
  'expiry-time="20991231Utc"',
  'expiry-time="2099 1 1"',
  'tunnel="ANY"',
  'permitopen="localhost:+22"',
  'an RSA modulus with an extra leading zero byte',
];

describe('lines sshd 9.2 accepts though Keysmith would not write them so', () => {
  for (const [i, label] of VARIANT_LABELS.entries()) {
    it(`lists, deletes and refuses to add again a key on a line with ${label}`, () => {
      const variant = lenientLines()[i];
      if (variant === undefined) throw new Error(`no line for ${label}`);
      const { line, key, flag } = variant;
      const text = `# keysmith name=old added=2020-01-02T03:04:05Z\n${line}\n# mine\n`;
      const keys = listKeys(text, now);
      expect(keys.map((k) => [k.fingerprint, k.line, k.name])).toEqual([
        [key().fingerprint, 2, 'old'],
      ]);
      expect(keys[0]?.flags.map((f) => f.code)).toContain(flag);
      expect(keys[0]?.publicKey).toBe(
        formatPublicKey({
          ...parseLine(key().publicLine),
          comment: keys[0]?.comment ?? '',
        }).trimEnd(),
      );
      expect(removeKey(text, key().fingerprint)).toBe('# mine\n');
      const add = () => addKey(text, { publicKey: key().publicLine }, now);
      expect(add).toThrow(KeyStoreError);
      expect(add).toThrow(/already in authorized_keys \(line 2/);
    });
  }

  it('lists an RSA key of 1024 bits with the flag to replace it', () => {
    const line = fs
      .readFileSync(
        new URL('../../openssh/fixtures/rsa-1024-too-short.pub.txt', import.meta.url),
        'utf8',
      )
      .trim();
    const [key] = listKeys(`${line}\n`, now);
    expect([key?.type, key?.bits]).toEqual(['ssh-rsa', 1024]);
    expect(key?.flags.map((f) => f.code)).toEqual(['rsa-small']);
    expect(key?.flags[0]?.message).toMatch(/RSA under 2048 bits: replace it/);
    expect(removeKey(`${line}\n`, key?.fingerprint ?? '')).toBe('');
  });

  it('deletes every line carrying the key, whatever its spelling, and nothing else', () => {
    const lines = lenientLines()
      .filter((v) => v.key() === ed)
      .map((v) => v.line);
    const text = `${rsa.publicLine}\n${lines.join('\n')}\n# keysmith added=2020-01-02T03:04:05Z\n${ed.publicLine}\nnot a key\n`;
    expect(listKeys(text, now).filter((k) => k.fingerprint === ed.fingerprint)).toHaveLength(
      lines.length + 1,
    );
    expect(removeKey(text, ed.fingerprint)).toBe(`${rsa.publicLine}\nnot a key\n`);
  });

  it('says for each flag what it means and what to do', () => {
    const base64 = ed.publicLine.split(' ')[1] ?? '';
    const messages = (line: string) =>
      Object.fromEntries(
        listKeys(`${line}\n`, now)[0]?.flags.map((f) => [f.code, f.message]) ?? [],
      );
    expect(messages(`ssh-ed25519 ${base64.slice(0, 20)}\v${base64.slice(20)}`)).toEqual({
      'key-encoding':
        'The key data is not written as ssh-keygen writes it (spaces or control characters in the base64, needless zero bytes or another type name inside); sshd reads it as this key.',
    });
    expect(messages(`${ed.publicLine}\0`)).toEqual({
      nul: 'The line holds a NUL character: sshd reads only what comes before it.',
    });
    expect(messages(`rsa-sha2-256 ${rsa.publicLine.split(' ')[1] ?? ''}`)).toEqual({
      'type-alias':
        'The line names the key type by another name sshd reads as the same type (such as rsa-sha2-256 for ssh-rsa).',
    });
    expect(messages(`tunnel="ANY" ${ed.publicLine}`)).toEqual({
      'option-spelling':
        'Options Keysmith does not write (another letter case, spacing or spelling of a value); sshd reads them as shown.',
    });
    expect(messages(`cert-authority ${ed.publicLine}`)).toEqual({
      'cert-authority':
        'A certificate authority (cert-authority): it lets in every certificate it signed for you, not this key itself.',
    });
    expect(messages(`principals="ada" ${ed.publicLine}`)).toEqual({
      principals:
        'principals= without cert-authority: sshd never lets this key in from this line. Delete it or fix the line.',
    });
  });

  it('shows bidirectional controls in a comment as \\u escapes, four upper-case hex digits', () => {
    const line = `${ed.publicLine.split(' ').slice(0, 2).join(' ')} a\u202Eb\u061Cc\u200Fd`;
    expect(listKeys(`${line}\n`, now)[0]?.comment).toBe('a\\u202Eb\\u061Cc\\u200Fd');
  });

  it('takes the earliest of several expiry-time options, as sshd does', () => {
    const [key] = listKeys(
      `expiry-time="20991231",expiry-time="20300101Z" ${ed.publicLine}\n`,
      now,
    );
    expect([key?.expiresAt, key?.options.expiryTime]).toEqual([
      '2030-01-01T00:00:00.000Z',
      '20300101Z',
    ]);
  });

  it('reports lines that look like keys but that sshd ignores, with why, and keeps them', () => {
    const text = `restrict,foo ${ed.publicLine}\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBROKEN x\nnot a key at all\n# ssh-ed25519 AAAA commented out\n`;
    const model = readModel(text);
    expect(listModelKeys(model, now)).toEqual([]);
    const ignored = listIgnoredLines(model);
    expect(ignored.map((l) => l.line)).toEqual([1, 2]);
    expect(ignored[0]?.message).toMatch(/"foo" is not an option sshd knows/);
    expect(ignored[1]?.message).toMatch(/not valid base64/);
    expect(joinLines(model.lines)).toBe(text);
  });

  it('does not take a hand-written "# keysmith … Z junk" line for its own, nor delete it', () => {
    const text = `# keysmith name=x added=2026-01-02T03:04:05Z junk\n${ed.publicLine}\n`;
    expect(listKeys(text, now)[0]?.managed).toBe(false);
    expect(removeKey(text, ed.fingerprint)).toBe(
      '# keysmith name=x added=2026-01-02T03:04:05Z junk\n',
    );
  });
});
