import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyFormatError } from '../../openssh/errors.ts';
import { addKey, addKeyToModel, removeKey, removeKeyFromModel } from './edits.ts';
import { joinLines, splitLines } from './lines.ts';
import { listKeys } from './listing.ts';
import { readModel, type AuthorizedKeysModel } from './model.ts';
import { KeyStoreError } from '../store/key-store.ts';
import { makeTestKey, type TestKey } from '../../testing/ssh-keygen.ts';

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

  it('takes an expiry at least a second ahead, and says what to do with any other', () => {
    const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
    expect(addKey('', { publicKey: ed.publicLine, expiresAt: at(1000) }, now).key.expiresAt).toBe(
      '2026-03-04T05:06:08.000Z',
    );
    expect(() => addKey('', { publicKey: ed.publicLine, expiresAt: at(999) }, now)).toThrow(
      new KeyStoreError(
        'bad-request',
        400,
        '"expiresAt" must be in the future. Choose a later date, or leave it out for a key that does not expire.',
      ),
    );
    expect(() => addKey('', { publicKey: ed.publicLine, expiresAt: 'soon' }, now)).toThrow(
      new KeyStoreError('bad-request', 400, '"expiresAt" is not a valid ISO 8601 date-time.'),
    );
    for (const expiresAt of [at(999), 'soon']) {
      expect(() => addKey('', { publicKey: ed.publicLine, expiresAt }, now)).toThrow(
        expect.objectContaining({ code: 'bad-request', status: 400 }),
      );
    }
  });

  it('names the line of a key already there, and its name or else its comment', () => {
    const [type, base64] = ed.publicLine.split(' ');
    const bare = `${type ?? ''} ${base64 ?? ''}`;
    const refusal = (text: string) => () => addKey(text, { publicKey: ed.publicLine }, now);
    expect(refusal(`# x\n${bare}\n`)).toThrow(
      'This key is already in authorized_keys (line 2). Remove it first to add it again with other settings.',
    );
    expect(refusal(`${bare} old laptop\n`)).toThrow('(line 1, "old laptop").');
    expect(refusal(`# keysmith name=work added=2026-01-02T03:04:05Z\n${bare} c\n`)).toThrow(
      '(line 2, "work").',
    );
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
    lines: model.lines,
    keyLines: model.keyLines.map(({ index, fingerprint, metadata }) => ({
      index,
      fingerprint,
      metadata,
    })),
  };
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

describe('edited models', () => {
  it('are exactly what reading the edited text gives (so a store may cache them)', () => {
    fc.assert(
      fc.property(editableFile(), (original) => {
        const model = readModel(original);
        const added = addKeyToModel(model, { publicKey: ed.publicLine, name: 'm' }, now).model;
        const addedText = joinLines(added.lines);
        expect(modelShape(added)).toEqual(modelShape(readModel(addedText)));
        for (const fingerprint of new Set(added.keyLines.map((line) => line.fingerprint))) {
          const removed = removeKeyFromModel(added, fingerprint);
          expect(modelShape(removed)).toEqual(modelShape(readModel(joinLines(removed.lines))));
          expect(joinLines(removed.lines)).toBe(removeKey(addedText, fingerprint));
        }
        // The model it was made from is left as it was.
        expect(modelShape(model)).toEqual(modelShape(readModel(original)));
      }),
      { numRuns: 300 },
    );
  });

  it('leave the model they were made from as it was, also when refused', () => {
    fc.assert(
      fc.property(editableFile(), (original) => {
        const added = addKeyToModel(readModel(original), { publicKey: ed.publicLine }, now).model;
        const before = modelShape(added);
        const [first] = added.keyLines;
        if (first !== undefined) removeKeyFromModel(added, first.fingerprint);
        expect(() => addKeyToModel(added, { publicKey: ed.publicLine }, now)).toThrow(
          KeyStoreError,
        );
        expect(() => removeKeyFromModel(added, 'SHA256:none')).toThrow(KeyStoreError);
        expect(modelShape(added)).toEqual(before);
      }),
      { numRuns: 100 },
    );
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
    expect(() => removeKey(`${rsa.publicLine}\n`, ed.fingerprint)).toThrow(
      `No key with fingerprint ${ed.fingerprint} is in authorized_keys. Reload the list to see the current keys.`,
    );
  });
});
