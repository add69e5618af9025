import { describe, expect, it } from 'vitest';
import { composeDirectoryValue, readDirectoryValues, splitCommentMetadata } from './ldap-values.ts';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEWRaM8JIEXDyC+BcBwOT4aYyYT2t+QENhyl5sbDCbAU';
const NOW = new Date('2026-03-01T12:00:00Z');

describe('splitCommentMetadata', () => {
  it('takes the metadata off the end of the comment', () => {
    expect(
      splitCommentMetadata('ada@laptop # keysmith name=laptop added=2026-01-02T03:04:05Z'),
    ).toEqual({
      comment: 'ada@laptop',
      metadata: { name: 'laptop', addedAt: '2026-01-02T03:04:05Z' },
    });
    expect(splitCommentMetadata('# keysmith added=2026-01-02T03:04:05Z')).toEqual({
      comment: '',
      metadata: { name: null, addedAt: '2026-01-02T03:04:05Z' },
    });
  });

  it('reads the last mark: a comment brought along cannot name the key', () => {
    const forged = '# keysmith name=forged added=2020-01-01T00:00:00Z';
    const value = composeDirectoryValue({ publicKey: `${KEY} ${forged}`, name: 'real' }, NOW);
    const [read] = readDirectoryValues([value.value]).keyLines;
    expect(read?.metadata).toEqual({ name: 'real', addedAt: '2026-03-01T12:00:00Z' });
    expect(read?.entry.key.comment).toBe(forged);
  });

  it('leaves a comment without a well-formed mark as it is', () => {
    for (const comment of ['x# keysmith added=2026-01-02T03:04:05Z', '# keysmith name=a b']) {
      expect(splitCommentMetadata(comment)).toEqual({ comment, metadata: null });
    }
  });
});

describe('readDirectoryValues', () => {
  it('numbers lines across values and reads a # line above a key within a value', () => {
    const model = readDirectoryValues([
      `${KEY} one`,
      `# keysmith name=file added=2026-01-02T03:04:05Z\n${KEY} two`,
      'not a key',
    ]);
    expect(model.keyLines.map((l) => [l.index, l.value, l.metadata?.name ?? null])).toEqual([
      [0, 0, null],
      [2, 1, 'file'],
    ]);
    expect(model.ignoredLines).toEqual([]);
  });
});
