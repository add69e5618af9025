import { describe, expect, it } from 'vitest';
import { cachedFile, listBodyOf, rememberWritten } from './file-cache.ts';
import { readModel } from '../../keys-file/model.ts';

const text = '# one\n# two\n';

describe('cachedFile', () => {
  it('gives the same entry for the same bytes, read into another buffer', () => {
    const first = cachedFile('/cache/a', Buffer.from(text));
    expect(cachedFile('/cache/a', Buffer.from(text))).toBe(first);
    expect(first.model.lines.map((line) => line.text)).toEqual(['# one', '# two']);
  });

  it('parses again when one byte differs, whatever the size', () => {
    const first = cachedFile('/cache/b', Buffer.from(text));
    const changed = cachedFile('/cache/b', Buffer.from(text.replace('two', 'twO')));
    expect(changed).not.toBe(first);
    expect(changed.model.lines.map((line) => line.text)).toEqual(['# one', '# twO']);
    expect(cachedFile('/cache/b', Buffer.from('# one\n'))).not.toBe(changed);
  });

  it('reads bytes that are not UTF-8 leniently and says so', () => {
    const entry = cachedFile('/cache/c', Buffer.from([0x23, 0x20, 0xe9, 0x0a]));
    expect(entry.utf8).toBe(false);
    expect(entry.model.lines.map((line) => line.text)).toEqual(['# \uFFFD']);
  });

  it('keeps a written model for exactly the bytes written', () => {
    const model = readModel(text);
    rememberWritten('/cache/d', Buffer.from(text), model);
    expect(cachedFile('/cache/d', Buffer.from(text)).model).toBe(model);
  });

  it('keeps the files of many users, not every file ever read', () => {
    const first = cachedFile('/cache/e0', Buffer.from(text));
    for (let i = 1; i < 256; i += 1) cachedFile(`/cache/e${i}`, Buffer.from(text));
    expect(cachedFile('/cache/e0', Buffer.from(text))).toBe(first);
    cachedFile('/cache/e256', Buffer.from(text));
    expect(cachedFile('/cache/e0', Buffer.from(text))).not.toBe(first);
  });

  it('keeps at most 4 MiB of bytes, but always the newest file', () => {
    const big = Buffer.from(`#${'x'.repeat(1022)}\n`.repeat(3 * 1024));
    const small = cachedFile('/cache/small', Buffer.from(text));
    const first = cachedFile('/cache/big1', big);
    expect(cachedFile('/cache/small', Buffer.from(text))).toBe(small);
    const second = cachedFile('/cache/big2', big);
    expect(cachedFile('/cache/big2', big)).toBe(second);
    expect(cachedFile('/cache/big1', big)).not.toBe(first);
  });
});

describe('listBodyOf', () => {
  it('keeps a body for its key while the clock stays in its span, and makes a new one otherwise', () => {
    const entry = cachedFile('/cache/f', Buffer.from(text));
    let made = 0;
    const make = () => {
      made += 1;
      return { body: new Uint8Array([made]), validAfter: 100, validUntil: 200 };
    };
    expect(listBodyOf(entry, 'w', 150, make)).toEqual(new Uint8Array([1]));
    expect(listBodyOf(entry, 'w', 200, make)).toEqual(new Uint8Array([1]));
    expect(listBodyOf(entry, 'w', 201, make)).toEqual(new Uint8Array([2]));
    expect(listBodyOf(entry, 'w', 100, make)).toEqual(new Uint8Array([3]));
    expect(listBodyOf(entry, 'other warnings', 150, make)).toEqual(new Uint8Array([4]));
    expect(listBodyOf(entry, 'other warnings', 150, make)).toEqual(new Uint8Array([4]));
    // Other bytes of the file are another entry, with no body yet.
    const changed = cachedFile('/cache/f', Buffer.from('# other\n'));
    expect(listBodyOf(changed, 'other warnings', 150, make)).toEqual(new Uint8Array([5]));
  });
});
