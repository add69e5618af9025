import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinLines, splitLines } from './lines.ts';

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
