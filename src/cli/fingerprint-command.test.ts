import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprintText } from './fingerprint-command.ts';

const fixtures = fileURLToPath(new URL('../openssh/fixtures/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'keysmith-fingerprint-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const keys = ['ed25519-plain', 'rsa-3072', 'ecdsa-521', 'sk-ecdsa', 'rsa-2048'].map((name) =>
  readFileSync(join(fixtures, `${name}.pub`), 'utf8')
    .split(' ')
    .slice(0, 2)
    .join(' '),
);

/** Pieces of authorized_keys lines as people write them, valid and not. */
const blank = fc.constantFrom('', ' ', '\t', '  \t ');
const comment = fc.constantFrom(
  '',
  'alice@laptop',
  'a  b',
  '# hash',
  'Jürgen 鍵',
  'x\t',
  'trailing  ',
);
const options = fc.constantFrom(
  '',
  'restrict ',
  'restrict,pty ',
  'from="10.0.0.0/8,!10.1.2.3" ',
  'command="echo \\"hi there\\"",no-pty ',
  'ptyx ',
  '1024 ',
  '0 ',
  'unterminated="quote ',
  'host.example.org ',
);
/**
 * A line, and what it does to ssh-keygen's `comment` pointer, which lives from line to line:
 * `sets` when the line may point it into itself (options, host names, a trailing comment,
 * garbage), `reads` when a key line without options or comment prints it.
 */
interface Line {
  text: string;
  sets: boolean;
  reads: boolean;
  /** Sets it too when it ends in "\r" (a CRLF file): a line of nothing is then garbage. */
  setsWithCr: boolean;
}
const keyLine = fc
  .tuple(blank, options, fc.constantFrom(...keys), fc.constantFrom(' ', '\t', '  '), comment)
  .map(([lead, opts, key, sep, text]): Line => ({
    text: `${lead}${opts}${key}${text === '' ? '' : sep + text}`,
    sets: opts !== '' || (text !== '' && !text.startsWith('#')),
    reads: opts === '' && (text === '' || text.startsWith('#')),
    setsWithCr: false,
  }));
const otherLine = fc
  .constantFrom('', '# a comment', '   # indented', 'garbage line', 'ssh-ed25519 AAAA', 'ssh-rsa')
  .map((text): Line => ({
    text,
    sets: !/^\s*(#|$)/.test(text),
    reads: false,
    setsWithCr: text === '',
  }));
/**
 * authorized_keys files without the one case ssh-keygen leaves undefined: a key line that reads
 * the comment pointer after an earlier line set it prints leftover or freed memory.
 */
const file = fc
  .tuple(
    fc.array(fc.oneof({ weight: 3, arbitrary: keyLine }, { weight: 1, arbitrary: otherLine }), {
      maxLength: 8,
    }),
    fc.constantFrom('\n', '\r\n'),
    fc.boolean(),
  )
  .map(([lines, eol, finalEol]) => {
    // In a CRLF file a line keeps its "\r", which ssh-keygen reads as text, so an empty line
    // sets the pointer (base64 decoding skips the "\r" after a bare key, which still reads it).
    let set = false;
    const defined = lines.filter((line, index) => {
      const keep = !(line.reads && set);
      const cr = eol === '\r\n' && (finalEol || index < lines.length - 1);
      set ||= line.sets || (cr && line.setsWithCr);
      return keep;
    });
    const texts = defined.map((line) => line.text);
    return texts.join(eol) + (finalEol && texts.length > 0 ? eol : '');
  });

describe('fingerprintText', () => {
  it('prints byte for byte what ssh-keygen -l prints, for random authorized_keys files', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(file, fc.boolean(), async (text, verbose) => {
        const path = join(work, `f${n++}`);
        writeFileSync(path, text);
        const theirs = spawnSync('ssh-keygen', [verbose ? '-lv' : '-l', '-f', path], {
          encoding: 'buffer',
          timeout: 10_000,
        });
        const ours = await fingerprintText(Buffer.from(text), path, { verbose });
        expect(ours.stdout.toString('latin1')).toBe(theirs.stdout.toString('latin1'));
        expect(ours.stderr).toBe(theirs.stderr.toString('utf8'));
        expect(ours.ok).toBe(theirs.status === 0);
      }),
      { numRuns: 80 },
    );
  });

  it('prints "no comment" where ssh-keygen prints memory left by an earlier line', async () => {
    const text = `from="x" ${keys[1] ?? ''} long comment here\n${keys[0] ?? ''}\n`;
    const path = join(work, 'stale');
    writeFileSync(path, text);
    const theirs = spawnSync('ssh-keygen', ['-l', '-f', path], { encoding: 'utf8' }).stdout;
    const ours = (await fingerprintText(Buffer.from(text), path, { verbose: false })).stdout;
    const [ourFirst, ourSecond] = ours.toString('utf8').split('\n');
    const [theirFirst, theirSecond] = theirs.split('\n');
    expect(ourFirst).toBe(theirFirst);
    expect(ourSecond).toMatch(/^256 SHA256:\S{43} no comment \(ED25519\)$/);
    // Everything but the comment, which ssh-keygen reads through a stale pointer.
    const withoutComment = (line = '') => line.replace(/^(\d+ SHA256:\S+) .* (\(\S+\))$/, '$1 $2');
    expect(withoutComment(ourSecond)).toBe(withoutComment(theirSecond));
  });
});
