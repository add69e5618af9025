import { describe, expect, it } from 'vitest';
import { isIgnoredBySshd, keyLineAt, metadataAbove, readLine, readModel } from './model.ts';

const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
const metadata = '# keysmith name=laptop added=2026-01-02T03:04:05Z';

describe('isIgnoredBySshd', () => {
  it('skips blank lines and # lines after leading blanks, up to a NUL', () => {
    for (const text of ['', ' ', ' \t ', '#', '# x', '  \t# x', '\0', ' \0x', `\0${key}`, '#\0x']) {
      expect(isIgnoredBySshd({ text, eol: '\n' }), JSON.stringify(text)).toBe(true);
    }
  });

  it('reads every other line, also one holding a NUL after its first character', () => {
    for (const text of [key, ` ${key}`, 'x', ' x', 'x#', 'x ', 'a\0', '\r', '\u00a0#']) {
      expect(isIgnoredBySshd({ text, eol: '\n' }), JSON.stringify(text)).toBe(false);
    }
  });
});

describe('readLine', () => {
  it('reads a key, with a trailing CR outside the comment and a CR inside it kept', () => {
    expect(readLine({ text: `${key} a\r`, eol: '' }).entry?.key.comment).toBe('a');
    expect(readLine({ text: `${key} a\rb`, eol: '' }).entry?.key.comment).toBe('a\rb');
  });

  it('says why sshd skips a line only when it looks like a key', () => {
    const looksLikeKey = [
      `ssh-ed25519 AAAAnotakey`,
      `ssh-ed25519  AAAAnotakey`,
      `ssh-ed25519\tAAAA`,
      `no-pty ssh-ed25519 AAAAnotakey`,
      `# ${key}`,
    ];
    for (const text of looksLikeKey) {
      expect(readLine({ text, eol: '\n' }).refusal, text).toEqual(expect.any(String));
    }
    const notAKey = ['ssh-ed25519', 'ssh-ed25519 AAA', 'ssh-ed25519 !AAAA', 'x AAAAAAAA', 'hello'];
    for (const text of notAKey) {
      expect(readLine({ text, eol: '\n' }), text).toEqual({ refusal: null });
    }
  });
});

describe('keyLineAt / metadataAbove', () => {
  it('find no line past either end, and no metadata above the first line', () => {
    const lines = [{ text: key, eol: '\n' as const }];
    expect(keyLineAt(lines, 1)).toBeNull();
    expect(keyLineAt(lines, -1)).toBeNull();
    expect(keyLineAt(lines, 0)?.metadata).toBeNull();
    expect(metadataAbove(lines, 0)).toBeNull();
  });
});

describe('readModel', () => {
  it('keeps one key line per key, each with the metadata line directly above it', () => {
    const model = readModel(`${metadata}\n${key} a\n\n# x\n${key} b\r\n${metadata}\n`);
    expect(model.lines).toHaveLength(6);
    expect(
      model.keyLines.map(({ index, entry, metadata: above }) => [index, entry.key.comment, above]),
    ).toEqual([
      [1, 'a', { name: 'laptop', addedAt: '2026-01-02T03:04:05Z' }],
      [4, 'b', null],
    ]);
  });
});
