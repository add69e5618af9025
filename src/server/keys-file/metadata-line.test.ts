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

  it('reads a name of 1 to 100 letters, digits, "-" or "_", and nothing around the line', () => {
    const added = 'added=2026-01-02T03:04:05Z';
    const long = 'a'.repeat(100);
    expect(parseMetadataLine(`# keysmith name=x ${added}`)?.name).toBe('x');
    expect(parseMetadataLine(`# keysmith name=Az09_- ${added}`)?.name).toBe('Az09_-');
    expect(parseMetadataLine(`# keysmith name=${long} ${added}`)?.name).toBe(long);
    for (const text of [
      `# keysmith name=${long}a ${added}`,
      `# keysmith name= ${added}`,
      `# keysmith name=a.b ${added}`,
      `# keysmith name=é ${added}`,
      `x# keysmith ${added}`,
      `# keysmith ${added} `,
      `# keysmith ${added}\r`,
      `# keysmith ${added}x`,
    ]) {
      expect(parseMetadataLine(text), text).toBeNull();
    }
  });

  it('reads only digits in each field of the time, and only a real date', () => {
    expect(parseMetadataLine('# keysmith added=2026-01-02T03:04:05Z')).not.toBeNull();
    for (let i = 0; i < '2026-01-02T03:04:05'.length; i += 1) {
      const time = '2026-01-02T03:04:05';
      if (!/\d/.test(time.charAt(i))) continue;
      const bad = `${time.slice(0, i)}x${time.slice(i + 1)}Z`;
      expect(parseMetadataLine(`# keysmith added=${bad}`), bad).toBeNull();
    }
    expect(parseMetadataLine('# keysmith added=26-01-02T03:04:05Z')).toBeNull();
    expect(parseMetadataLine('# keysmith added=2026-13-02T03:04:05Z')).toBeNull();
    expect(parseMetadataLine('# keysmith added=2026-01-02T25:04:05Z')).toBeNull();
  });

  it('writes lines it reads back, and refuses a name that would need escaping', () => {
    const addedAt = isoSeconds(new Date('2026-01-02T03:04:05.678Z'));
    expect(addedAt).toBe('2026-01-02T03:04:05Z');
    for (const name of [null, 'laptop', 'a-b_C9']) {
      expect(parseMetadataLine(formatMetadataLine({ name, addedAt }))).toEqual({ name, addedAt });
    }
    for (const name of ['a b', 'a\nb', 'x=y', '', 'é']) {
      expect(() => formatMetadataLine({ name, addedAt }), name).toThrow(
        new KeyStoreError(
          'bad-request',
          400,
          'A name is 1–100 letters, digits, "-" or "_" (no spaces). Choose another name.',
        ),
      );
      expect(() => formatMetadataLine({ name, addedAt }), name).toThrow(
        expect.objectContaining({ code: 'bad-request', status: 400 }),
      );
    }
  });

  it('refuses to write a time it could not read back, as an internal error', () => {
    for (const name of [null, 'laptop']) {
      expect(() => formatMetadataLine({ name, addedAt: '2026-01-02' })).toThrow(
        expect.objectContaining({
          code: 'internal',
          status: 500,
          message: 'Keysmith composed a metadata line it cannot read back.',
        }),
      );
    }
  });
});
