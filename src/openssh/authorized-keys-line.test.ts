import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AUTHORIZED_KEY_OPTION_NAMES,
  formatAuthorizedKeysLine,
  parseAuthorizedKeysLine,
  type AuthorizedKeyOption,
} from './authorized-keys-line.ts';
import { KeyFormatError } from './errors.ts';
import { formatPublicKey, parsePublicKey } from './public-key-line.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const read = (name: string) => readFileSync(fixtures + name, 'utf8');
const key = parsePublicKey(read('ed25519-plain.pub'));
const keyText = formatPublicKey(key);

function refusal(line: string): string {
  try {
    parseAuthorizedKeysLine(line);
  } catch (error) {
    expect(error).toBeInstanceOf(KeyFormatError);
    return (error as KeyFormatError).message;
  }
  throw new Error(`accepted: ${line}`);
}

describe('parseAuthorizedKeysLine', () => {
  it('reads a bare key line, with leading blanks and a trailing CR', () => {
    const entry = parseAuthorizedKeysLine(` \t${keyText}\r`);
    expect(entry.options).toEqual([]);
    expect(entry.key.blob).toEqual(key.blob);
    expect(entry.key.comment).toBe('keysmith@example');
  });

  it('reads every line of the committed authorized_keys fixture that ssh-keygen reads', () => {
    const lines = read('authorized_keys').split('\n');
    const keys = lines.filter((l) => /^[ \t]*[^ \t#]/.test(l) && !l.startsWith('this line'));
    expect(keys).toHaveLength(9);
    const fingerprintsCount = read('authorized_keys.l.txt').trim().split('\n').length;
    expect(keys.map((l) => parseAuthorizedKeysLine(l))).toHaveLength(fingerprintsCount);
  });

  it('reads options as sshd does: case-insensitive names, quoted values, \\" inside', () => {
    const entry = parseAuthorizedKeysLine(
      `RESTRICT,Pty,from="10.0.0.0/8,!10.1.2.3",command="echo \\"a, b\\" \\\\n",no-X11-forwarding,expiry-time="202701011200Z" ${keyText}`,
    );
    expect(entry.options).toEqual([
      { name: 'restrict', value: null },
      { name: 'pty', value: null },
      { name: 'from', value: '10.0.0.0/8,!10.1.2.3' },
      { name: 'command', value: 'echo "a, b" \\\\n' },
      { name: 'no-x11-forwarding', value: null },
      { name: 'expiry-time', value: '202701011200Z' },
    ]);
    expect(entry.key.comment).toBe('keysmith@example');
  });

  it('accepts every option name sshd 9.2 knows', () => {
    const values: Record<string, string> = {
      command: 'true',
      principals: 'alice',
      from: '*.example.org',
      'expiry-time': '20991231',
      environment: 'LANG=C',
      permitopen: 'localhost:8080',
      permitlisten: '8080',
      tunnel: '0',
    };
    for (const name of AUTHORIZED_KEY_OPTION_NAMES) {
      const value = values[name];
      const option = value === undefined ? name : `${name}="${value}"`;
      expect(parseAuthorizedKeysLine(`${option} ${keyText}`).options).toEqual([
        { name, value: value ?? null },
      ]);
    }
    expect(AUTHORIZED_KEY_OPTION_NAMES.size).toBe(24);
  });

  it('follows sshd quirks: a comma before the space, and empty options, are accepted', () => {
    expect(parseAuthorizedKeysLine(`restrict, ${keyText}`).options).toEqual([
      { name: 'restrict', value: null },
    ]);
    expect(parseAuthorizedKeysLine(`,restrict,,pty ${keyText}`).options).toHaveLength(2);
  });

  it('refuses what sshd refuses, naming the problem', () => {
    expect(refusal(`command="ls ${keyText}`)).toMatch(
      /double quote in the options is never closed/,
    );
    expect(refusal(`restrict, pty ${keyText}`)).toMatch(/options contain a space/);
    expect(refusal(`restrict,foo ${keyText}`)).toMatch(/"foo" is not an option sshd knows/);
    expect(refusal(`ptyx ${keyText}`)).toMatch(/"ptyx" is not an option/);
    expect(refusal(`no-restrict ${keyText}`)).toMatch(/"no-restrict" is not an option/);
    expect(refusal(`command="a",command="b" ${keyText}`)).toMatch(/more than one command= option/);
    expect(refusal(`from="a",from="b" ${keyText}`)).toMatch(/more than one from= option/);
    expect(refusal(`command=ls ${keyText}`)).toMatch(/value of command= must be in double quotes/);
    expect(refusal(`expiry-time="2027-01-01" ${keyText}`)).toMatch(
      /expiry-time="2027-01-01" is not a date/,
    );
    expect(refusal(`expiry-time="20271301" ${keyText}`)).toMatch(/is not a date/);
    expect(refusal(`environment="NOEQUALS" ${keyText}`)).toMatch(/environment= must be NAME=value/);
    expect(refusal(`environment="A-B=1" ${keyText}`)).toMatch(/environment= must be NAME=value/);
    expect(refusal(`permitopen="host" ${keyText}`)).toMatch(/permitopen="host" is not host:port/);
    expect(refusal(`permitopen="host:99999" ${keyText}`)).toMatch(/is not host:port/);
    expect(refusal(`tunnel="x" ${keyText}`)).toMatch(/not a tunnel device/);
    expect(refusal(`command="a"x ${keyText}`)).toMatch(/is not an option sshd knows/);
    expect(refusal(`restrict`)).toMatch(/no key follows/);
    expect(refusal(`restrict ssh-ed25519 AAA`)).toMatch(/not valid base64/);
    expect(refusal('')).toMatch(/blank or a # comment/);
    expect(refusal(`# ${keyText}`)).toMatch(/blank or a # comment/);
  });

  it('is fast enough for a 10,000-line file', () => {
    const line = `restrict,pty,expiry-time="20991231" ${keyText}`;
    const start = performance.now();
    for (let i = 0; i < 10_000; i++) parseAuthorizedKeysLine(line);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

describe('formatAuthorizedKeysLine', () => {
  it('writes options before the key, values quoted, no spaces', () => {
    const line = formatAuthorizedKeysLine(
      [
        { name: 'restrict', value: null },
        { name: 'pty', value: null },
        { name: 'from', value: '10.0.0.0/8,192.168.*' },
        { name: 'expiry-time', value: '20270101' },
      ],
      key,
    );
    expect(line).toBe(`restrict,pty,from="10.0.0.0/8,192.168.*",expiry-time="20270101" ${keyText}`);
    expect(formatAuthorizedKeysLine([], key)).toBe(keyText);
  });

  it('refuses values that could break out of their quotes or the line', () => {
    for (const value of ['a"b', 'a\\b', 'a\rb', 'a\nb', 'a\u0000b']) {
      expect(() => formatAuthorizedKeysLine([{ name: 'command', value }], key)).toThrow(RangeError);
    }
    expect(() => formatAuthorizedKeysLine([{ name: 'command', value: 'a\tb' }], key)).toThrow(
      /control characters/,
    );
  });

  it('refuses unknown names and misused flags', () => {
    expect(() => formatAuthorizedKeysLine([{ name: 'Restrict', value: null }], key)).toThrow(
      /not an option sshd 9.2 accepts/,
    );
    expect(() => formatAuthorizedKeysLine([{ name: 'pty', value: 'yes' }], key)).toThrow(
      /is a flag/,
    );
    expect(() => formatAuthorizedKeysLine([{ name: 'from', value: null }], key)).toThrow(
      /needs a value/,
    );
    expect(() => formatAuthorizedKeysLine([], { ...key, comment: 'a\ncommand="sh"' })).toThrow(
      RangeError,
    );
  });

  it('round-trips through parseAuthorizedKeysLine', () => {
    const valued = ['command', 'from', 'principals'];
    const flags = [
      'restrict',
      'pty',
      'no-pty',
      'agent-forwarding',
      'no-user-rc',
      'verify-required',
    ];
    const option: fc.Arbitrary<AuthorizedKeyOption> = fc.oneof(
      fc.constantFrom(...flags).map((name) => ({ name, value: null })),
      fc
        .tuple(
          fc.constantFrom(...valued),
          fc.string({ unit: 'grapheme' }).map((s) => s.replace(/["\\\p{Cc}]/gu, '')),
        )
        .map(([name, value]) => ({ name, value })),
    );
    fc.assert(
      fc.property(fc.uniqueArray(option, { selector: (o) => o.name, maxLength: 6 }), (options) => {
        const entry = parseAuthorizedKeysLine(formatAuthorizedKeysLine(options, key));
        expect(entry.options).toEqual(options);
        expect(entry.key.blob).toEqual(key.blob);
      }),
    );
  });

  it('reads the options after a value whose Unicode lower case is longer (found by fast-check)', () => {
    // "İ".toLowerCase() is two code units: lowering the whole line shifted every later offset.
    const options: AuthorizedKeyOption[] = [
      { name: 'from', value: 'İ' },
      { name: 'command', value: '' },
      { name: 'restrict', value: null },
    ];
    expect(parseAuthorizedKeysLine(formatAuthorizedKeysLine(options, key)).options).toEqual(
      options,
    );
  });
});
