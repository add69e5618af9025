import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toWireKey } from '../../api/ssh-keys.ts';
import { KeyFormatError } from '../../openssh/errors.ts';
import { ed25519PublicBlob } from '../../openssh/public-key-blob.ts';
import { formatPublicKey, parsePublicKey as parseLine } from '../../openssh/public-key-line.ts';
import {
  addKey,
  addKeyToModel,
  joinLines,
  listIgnoredLines,
  listKeys,
  listModelJson,
  listModelKeys,
  parseMetadataLine,
  readModel,
  removeKey,
  removeKeyFromModel,
  splitLines,
  type AuthorizedKeysModel,
} from './authorized-keys-file.ts';
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

/** Files with everything Keysmith must keep: comments, blanks, CRLF, foreign options, no final LF. */
function foreignFiles(): Record<string, string> {
  return {
    empty: '',
    'lf with comments and blanks': `# my keys\n\n${rsa.publicLine}\n   \n# end\n`,
    crlf: `# windows\r\n${rsa.publicLine}\r\n\r\n`,
    'no final newline': `# x\n${rsa.publicLine}`,
    'crlf and no final newline': `${rsa.publicLine}\r\n# last`,
    'foreign options': `no-pty,command="echo \\"hi\\"",from="10.*" ${rsa.publicLine}\n${ecdsa.publicLine}\n`,
    'garbage sshd skips': `this is not a key\n${rsa.publicLine}\n\tssh-ed25519 notbase64 x\n`,
    'bom and trailing blanks': `\uFEFF# bom\n${ecdsa.publicLine}\n\n\n`,
  };
}

describe('splitLines / joinLines', () => {
  it('gives back every string exactly', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', ' ', '#', '\r', '\n', 'é', '\t') }),
        (text) => joinLines(splitLines(text)) === text,
      ),
      { numRuns: 2000 },
    );
  });

  it('keeps each line ending as found', () => {
    expect(splitLines('a\r\nb\nc')).toEqual([
      { text: 'a', eol: '\r\n' },
      { text: 'b', eol: '\n' },
      { text: 'c', eol: '' },
    ]);
  });
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

describe('parseMetadataLine', () => {
  it('reads only its own exact metadata format', () => {
    expect(parseMetadataLine('# keysmith added=2026-01-02T03:04:05Z')).toEqual({
      name: null,
      addedAt: '2026-01-02T03:04:05Z',
    });
    expect(parseMetadataLine('# keysmith name=a b added=2026-01-02T03:04:05Z')).toBeNull();
    expect(parseMetadataLine('# keysmith name=ok added=2026-01-02')).toBeNull();
    expect(parseMetadataLine(' # keysmith added=2026-01-02T03:04:05Z')).toBeNull();
  });
});

describe('addKey', () => {
  it('keeps every existing byte and appends exactly a metadata line and the key line', () => {
    for (const [label, original] of Object.entries(foreignFiles())) {
      const { text, key } = addKey(original, { publicKey: ed.publicLine, name: 'laptop' }, now);
      const kept = original === '' || original.endsWith('\n') ? original : `${original}\n`;
      expect(text.startsWith(kept), label).toBe(true);
      expect(text.slice(kept.length), label).toBe(
        `# keysmith name=laptop added=2026-03-04T05:06:07Z\nrestrict ${ed.publicLine}\n`,
      );
      expect(key.fingerprint).toBe(ed.fingerprint);
      expect(key.managed).toBe(true);
      expect(key.line).toBe(splitLines(text).length);
    }
  });

  it('composes the options for each access level itself', () => {
    const lineFor = (access: 'restricted' | 'interactive' | 'full') =>
      addKey('', { publicKey: ed.publicLine, access }, now).text.split('\n')[1];
    expect(lineFor('restricted')).toBe(`restrict ${ed.publicLine}`);
    expect(lineFor('interactive')).toBe(`restrict,pty ${ed.publicLine}`);
    expect(lineFor('full')).toBe(ed.publicLine);
  });

  it('writes from= and expiry-time= in UTC, and lists them back', () => {
    const { text, key } = addKey(
      '',
      {
        publicKey: ed.publicLine,
        from: ['10.0.0.0/8', '!10.1.2.3', '*.example.org'],
        expiresAt: '2030-01-01T13:00:00.999+01:00',
      },
      now,
    );
    expect(text.split('\n')[1]).toBe(
      `restrict,from="10.0.0.0/8,!10.1.2.3,*.example.org",expiry-time="20300101120000Z" ${ed.publicLine}`,
    );
    expect(key.options.from).toEqual(['10.0.0.0/8', '!10.1.2.3', '*.example.org']);
    expect(key.expiresAt).toBe('2030-01-01T12:00:00.000Z');
    expect(key.access).toBe('restricted');
    expect(key.name).toBeNull();
  });

  it('refuses an expiry in the past', () => {
    expect(() =>
      addKey('', { publicKey: ed.publicLine, expiresAt: '2026-03-04T05:06:00Z' }, now),
    ).toThrow(KeyStoreError);
  });

  it('rebuilds the line from the parsed key: extra blanks and a trailing newline are not copied', () => {
    const [type, base64, ...comment] = ed.publicLine.split(' ');
    const messy = `${type ?? ''}   ${base64 ?? ''}\t${comment.join(' ')}\r\n`;
    const { text } = addKey('', { publicKey: messy }, now);
    expect(text.split('\n')[1]).toBe(`restrict ${ed.publicLine}`);
  });

  it('refuses the same key anywhere in the file, also on a foreign line, with 409', () => {
    const [type, base64] = ed.publicLine.split(' ');
    const original = `# x\r\ncommand="ls" ${type ?? ''} ${base64 ?? ''} other comment`;
    let caught: unknown;
    try {
      addKey(original, { publicKey: ed.publicLine, access: 'full' }, now);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KeyStoreError);
    expect((caught as KeyStoreError).status).toBe(409);
    expect((caught as KeyStoreError).code).toBe('duplicate');
  });

  it('refuses injection attempts in the public key', () => {
    const attempts: Record<string, string> = {
      'LF and an injected line': `${ed.publicLine}\ncommand="touch /tmp/pwned" ${ed2.publicLine}`,
      'CR in comment': `${ed.publicLine}\rcommand="x" ${ed2.publicLine}`,
      'NUL in comment': `${ed.publicLine}\0x`,
      'options smuggled in front': `command="touch /tmp/pwned" ${ed.publicLine}`,
      'restrict in front': `restrict,pty ${ed.publicLine}`,
      'two keys on one line': `${ed.publicLine} ${ed2.publicLine}\n${ed2.publicLine}`,
      'two keys on two lines': `${ed.publicLine}\n${ed2.publicLine}\n`,
    };
    for (const [label, publicKey] of Object.entries(attempts)) {
      expect(() => addKey('', { publicKey }, now), label).toThrow(KeyFormatError);
    }
  });

  it('refuses a pasted private key with code private-key', () => {
    const privateText = fs.readFileSync(ed.privatePath, 'utf8');
    let caught: unknown;
    try {
      addKey('', { publicKey: privateText }, now);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KeyFormatError);
    expect((caught as KeyFormatError).code).toBe('private-key');
  });

  it('refuses a name that would need escaping', () => {
    for (const name of ['a b', 'a\nb', 'x\0', 'x=y', '']) {
      expect(() => addKey('', { publicKey: ed.publicLine, name }, now), name).toThrow(
        KeyStoreError,
      );
    }
  });
});

describe('any file', () => {
  it('lists without throwing, and add then remove gives back every byte', () => {
    const fragment = () =>
      fc.constantFrom(
        rsa.publicLine,
        ecdsa.publicLine,
        `restrict,pty ${ed2.publicLine}`,
        `command="echo \\"x\\"",no-pty ${rsa.publicLine}`,
        `expiry-time="2020" ${ecdsa.publicLine}`,
        `unknown-option ${ed2.publicLine}`,
        '# keysmith name=x added=2026-01-02T03:04:05Z',
        '# comment',
        '',
        '   ',
        '\r',
        '\u0001\u0085\t',
        'garbage',
        'ssh-ed25519 AAAA',
        '\uFEFF',
        'é',
      );
    const file = fc
      .array(fc.tuple(fc.array(fragment(), { maxLength: 3 }), fc.constantFrom('\n', '\r\n', '')), {
        maxLength: 12,
      })
      .map((lines) => lines.map(([parts, eol]) => parts.join('') + eol).join(''));
    fc.assert(
      fc.property(file, (original) => {
        listKeys(original, now);
        const added = addKey(original, { publicKey: ed.publicLine, name: 'fuzz' }, now);
        const kept = original === '' || original.endsWith('\n') ? original : `${original}\n`;
        return added.text.startsWith(kept) && removeKey(added.text, ed.fingerprint) === kept;
      }),
      { numRuns: 300 },
    );
  });
});

/** What a model says about its text, to compare an edited model with a fresh read. */
function modelShape(model: AuthorizedKeysModel) {
  return {
    text: model.text,
    lines: model.lines,
    keyLines: model.keyLines.map(({ index, fingerprint, metadata }) => ({
      index,
      fingerprint,
      metadata,
    })),
  };
}

/** The text an edited model says it was made of, from the text of the model it was made from. */
function applyEdit(previous: string, model: AuthorizedKeysModel): string {
  if (model.edit === undefined) throw new Error('an edited model says how it was made');
  const kept = model.edit.keep.map(([start, end]) => previous.slice(start, end));
  return kept.join('') + model.edit.append;
}

/** Files of key lines, metadata lines, comments, blank and broken lines, with any endings. */
function editableFile() {
  const fragment = fc.constantFrom(
    rsa.publicLine,
    ecdsa.publicLine,
    `restrict,pty ${ed2.publicLine}`,
    `no-pty ${rsa.publicLine}`,
    '# keysmith name=x added=2026-01-02T03:04:05Z',
    '# keysmith added=2026-01-02T03:04:05Z',
    '# comment',
    '',
    '\r',
    'garbage',
  );
  return fc
    .array(fc.tuple(fragment, fc.constantFrom('\n', '\r\n', '')), { maxLength: 12 })
    .map((lines) => lines.map(([text, eol]) => text + eol).join(''));
}

describe('many keys', () => {
  it('each keep their own key bytes (the model packs them together)', () => {
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

describe('edited models', () => {
  it('are exactly what reading the edited text gives (so a store may cache them)', () => {
    fc.assert(
      fc.property(editableFile(), (original) => {
        const model = readModel(original);
        const added = addKeyToModel(model, { publicKey: ed.publicLine, name: 'm' }, now).model;
        expect(modelShape(added)).toEqual(modelShape(readModel(added.text)));
        expect(applyEdit(original, added)).toBe(added.text);
        for (const fingerprint of new Set(added.keyLines.map((line) => line.fingerprint))) {
          const removed = removeKeyFromModel(added, fingerprint);
          expect(modelShape(removed)).toEqual(modelShape(readModel(removed.text)));
          expect(applyEdit(added.text, removed)).toBe(removed.text);
          expect(removed.text).toBe(removeKey(added.text, fingerprint));
        }
        // The model it was made from is left as it was.
        expect(modelShape(model)).toEqual(modelShape(readModel(original)));
      }),
      { numRuns: 300 },
    );
  });

  it('are the same when made by consuming the model they edit, and a refusal consumes nothing', () => {
    const request = { publicKey: ed.publicLine, name: 'm' };
    fc.assert(
      fc.property(editableFile(), (original) => {
        const added = addKeyToModel(readModel(original), request, now).model;
        const consumed = addKeyToModel(readModel(original), request, now, { consume: true });
        expect(modelShape(consumed.model)).toEqual(modelShape(added));
        expect(consumed.model.edit).toEqual(added.edit);
        for (const fingerprint of new Set(added.keyLines.map((line) => line.fingerprint))) {
          const removed = removeKeyFromModel(added, fingerprint);
          // An edited model, as a store caches it after a change, consumed by the next one.
          const edited = addKeyToModel(readModel(original), request, now, { consume: true });
          const removedConsumed = removeKeyFromModel(edited.model, fingerprint, { consume: true });
          expect(modelShape(removedConsumed)).toEqual(modelShape(removed));
          expect(removedConsumed.edit).toEqual(removed.edit);
        }
        const model = readModel(added.text);
        expect(() => addKeyToModel(model, request, now, { consume: true })).toThrow(KeyStoreError);
        expect(() => removeKeyFromModel(model, 'SHA256:none', { consume: true })).toThrow(
          KeyStoreError,
        );
        expect(modelShape(model)).toEqual(modelShape(readModel(added.text)));
      }),
      { numRuns: 300 },
    );
  });

  it('serialize many keys with multi-byte comments exactly, across the write chunks', () => {
    // 3,000 lines, a listing of several 256 KiB chunks with characters of 2, 3 and 4 bytes.
    const comment = `ключ ✓ ${'é'.repeat(60)} 🔑`;
    const lines: string[] = [];
    for (let i = 0; i < 1000; i++) {
      lines.push(`# keysmith name=k${i} added=2026-01-01T00:00:00Z`);
      lines.push(`restrict ${ed.publicLine.replace(/ \S+$/, ` ${comment}${i}`)}`);
      lines.push(`${rsa.publicLine} ${i}`);
    }
    const model = readModel(`${lines.join('\n')}\n`);
    const { json } = listModelJson(model, now, 'é[', ']ü');
    const expected = `é[${JSON.stringify(listModelKeys(model, now).map(toWireKey))}]ü`;
    expect(json.length).toBeGreaterThan(3 * 256 * 1024);
    expect(json.length).toBe(new TextEncoder().encode(expected).length);
    expect(new TextDecoder().decode(json)).toBe(expected);
    // Written into one buffer of the predicted size, which keeps little room at its end.
    expect(json.buffer.byteLength - json.byteLength).toBeLessThan(json.byteLength / 16);
  });

  it('serialize exactly when the keys further down are much longer than the first ones', () => {
    // The size predicted from the first keys is too small: the rest goes to further chunks.
    const lines = [
      ...Array.from({ length: 100 }, () => ed2.publicLine),
      ...Array.from({ length: 2000 }, (_, i) => `${rsa.publicLine} ${'x'.repeat(200)}${i}`),
    ];
    const model = readModel(`${lines.join('\n')}\n`);
    const { json } = listModelJson(model, now, '{"keys":', '}');
    expect(new TextDecoder().decode(json)).toBe(
      JSON.stringify({ keys: listModelKeys(model, now).map(toWireKey) }),
    );
    expect(json.byteLength).toBe(json.buffer.byteLength);
  });

  it('say for how long a listing stays exact: until the next expiry, after the last one', () => {
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
    const { json, validAfter, validUntil } = listModelJson(model, at, '{"keys":', '}');
    const keys = listModelKeys(model, at);
    expect(new TextDecoder().decode(json)).toBe(JSON.stringify({ keys: keys.map(toWireKey) }));
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

describe('removeKey', () => {
  it('after add, gives back the original bytes (plus the one final LF it had to add)', () => {
    for (const [label, original] of Object.entries(foreignFiles())) {
      const added = addKey(original, { publicKey: ed.publicLine, name: 'n1' }, now).text;
      const removed = removeKey(added, ed.fingerprint);
      const kept = original === '' || original.endsWith('\n') ? original : `${original}\n`;
      expect(removed, label).toBe(kept);
    }
  });

  it('removes a foreign key line and only that line', () => {
    const original = `# a\r\n${rsa.publicLine}\r\nfrom="1.2.3.4" ${ecdsa.publicLine}\r\n# b`;
    const [, ecdsaKey] = listKeys(original, now);
    expect(removeKey(original, ecdsaKey?.fingerprint ?? '')).toBe(
      `# a\r\n${rsa.publicLine}\r\n# b`,
    );
  });

  it('removes a key on the last line without a final newline, keeping the rest', () => {
    const original = `# a\n${rsa.publicLine}`;
    const [key] = listKeys(original, now);
    expect(removeKey(original, key?.fingerprint ?? '')).toBe('# a\n');
  });

  it('removes every line with the key, so no copy keeps logging in', () => {
    const original = `${ed.publicLine}\n# keep\nrestrict ${ed.publicLine}\n`;
    expect(removeKey(original, ed.fingerprint)).toBe('# keep\n');
  });

  it('keeps a metadata line that belongs to another key', () => {
    const first = addKey('', { publicKey: ed.publicLine, name: 'one' }, now).text;
    const both = addKey(first, { publicKey: ed2.publicLine, name: 'two' }, now).text;
    expect(removeKey(both, ed2.fingerprint)).toBe(first);
  });

  it('answers 404 for a key that is not there', () => {
    expect(() => removeKey(`${rsa.publicLine}\n`, ed.fingerprint)).toThrow(
      expect.objectContaining({ status: 404, code: 'not-found' }),
    );
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
    const body = JSON.parse(
      new TextDecoder().decode(listModelJson(model, now, '{"keys":', '}').json),
    ) as unknown;
    expect(body).toEqual({ keys: [], ignoredLines: listIgnoredLines(model) });
  });

  it('does not take a hand-written "# keysmith … Z junk" line for its own, nor delete it', () => {
    const text = `# keysmith name=x added=2026-01-02T03:04:05Z junk\n${ed.publicLine}\n`;
    expect(listKeys(text, now)[0]?.managed).toBe(false);
    expect(removeKey(text, ed.fingerprint)).toBe(
      '# keysmith name=x added=2026-01-02T03:04:05Z junk\n',
    );
  });
});
