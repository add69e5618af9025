import { describe, expect, it } from 'vitest';
import { formatMetadataLine, isoSeconds, parseMetadataLine } from './metadata-line.ts';
import { KeyStoreError } from '../store/key-store.ts';

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

  it('writes lines it reads back, and refuses a name that would need escaping', () => {
    const addedAt = isoSeconds(new Date('2026-01-02T03:04:05.678Z'));
    expect(addedAt).toBe('2026-01-02T03:04:05Z');
    for (const name of [null, 'laptop', 'a-b_C9']) {
      expect(parseMetadataLine(formatMetadataLine({ name, addedAt }))).toEqual({ name, addedAt });
    }
    for (const name of ['a b', 'a\nb', 'x=y', '', 'é']) {
      expect(() => formatMetadataLine({ name, addedAt }), name).toThrow(KeyStoreError);
    }
  });
});
