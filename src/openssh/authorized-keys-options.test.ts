import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACCESS_LEVELS } from './access-levels.ts';
import { formatAuthorizedKeysLine, parseAuthorizedKeysLine } from './authorized-keys-line.ts';
import {
  composeAccessOptions,
  decodeOptions,
  deriveAccess,
  earliestExpiry,
  formatExpiryTime,
  parseExpiryTime,
  readsBackAs,
} from './authorized-keys-options.ts';
import { parsePublicKey } from './public-key-line.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const key = parsePublicKey(readFileSync(`${fixtures}ed25519-plain.pub`, 'utf8'));
const ecdsaKey = parsePublicKey(readFileSync(`${fixtures}ecdsa-256.pub`, 'utf8'));
const otherEd25519Key = parsePublicKey(readFileSync(`${fixtures}ed25519-long-comment.pub`, 'utf8'));

/** The options sshd reads from `optionsText` written before a key. */
function optionsOf(optionsText: string) {
  return parseAuthorizedKeysLine(`${optionsText} ${formatAuthorizedKeysLine([], key)}`).options;
}

describe('parseExpiryTime', () => {
  it('reads sshd timespecs: UTC with Z, local time without', () => {
    expect(parseExpiryTime('20300102Z')?.toISOString()).toBe('2030-01-02T00:00:00.000Z');
    expect(parseExpiryTime('203001021314Z')?.toISOString()).toBe('2030-01-02T13:14:00.000Z');
    expect(parseExpiryTime('20300102131415Z')?.toISOString()).toBe('2030-01-02T13:14:15.000Z');
    expect(parseExpiryTime('20300102131415')?.getTime()).toBe(
      new Date(2030, 0, 2, 13, 14, 15).getTime(),
    );
    // glibc's timegm rolls a day past the month's end over, as sshd reads it.
    expect(parseExpiryTime('20300230Z')?.toISOString()).toBe('2030-03-02T00:00:00.000Z');
    for (const bad of ['2030010', '20301301Z', '203001021314159Z', 'x', '']) {
      expect(parseExpiryTime(bad)).toBeNull();
    }
  });
});

describe('formatExpiryTime / earliestExpiry', () => {
  it('writes whole UTC seconds that parseExpiryTime reads back', () => {
    const text = formatExpiryTime(new Date('2030-01-02T03:04:05.999Z'));
    expect(text).toBe('20300102030405Z');
    expect(parseExpiryTime(text)?.toISOString()).toBe('2030-01-02T03:04:05.000Z');
  });

  it('applies the earliest of several expiry-time options, as sshd keeps the smallest', () => {
    const options = optionsOf('expiry-time="20310101Z",expiry-time="20300101Z",restrict');
    expect(earliestExpiry(options)).toEqual({
      raw: '20300101Z',
      date: new Date('2030-01-01T00:00:00Z'),
    });
    expect(earliestExpiry(optionsOf('restrict'))).toBeNull();
  });

  it('reads only expiry-time options, skips values sshd refuses, and keeps the first of equal times', () => {
    expect(
      earliestExpiry(
        optionsOf('from="20200101Z",environment="X=20200101Z",expiry-time="20300101Z"'),
      ),
    ).toEqual({ raw: '20300101Z', date: new Date('2030-01-01T00:00:00Z') });
    expect(
      earliestExpiry([
        { name: 'expiry-time', value: '2029010x' },
        { name: 'expiry-time', value: '20300101Z' },
        { name: 'expiry-time', value: '20300101UTC' },
      ]),
    ).toEqual({ raw: '20300101Z', date: new Date('2030-01-01T00:00:00Z') });
  });
});

describe('decodeOptions', () => {
  it('decodes the options sshd applies, and keeps every option as written', () => {
    const options = optionsOf(
      'restrict,pty,from="10.0.0.0/8,!10.1.2.3",command="echo \\"hi\\"",expiry-time="20300101Z"',
    );
    expect(decodeOptions(options)).toEqual({
      restrict: true,
      pty: true,
      from: ['10.0.0.0/8', '!10.1.2.3'],
      expiryTime: '20300101Z',
      command: 'echo "hi"',
      raw: [
        'restrict',
        'pty',
        'from="10.0.0.0/8,!10.1.2.3"',
        'command="echo \\"hi\\""',
        'expiry-time="20300101Z"',
      ],
    });
  });

  it('decodes no options as every default', () => {
    expect(decodeOptions([])).toEqual({
      restrict: false,
      pty: false,
      from: null,
      expiryTime: null,
      command: null,
      raw: [],
    });
  });
});

describe('deriveAccess / composeAccessOptions', () => {
  it('derives each access level from the options composed for it, whatever from and expiry', () => {
    for (const access of ACCESS_LEVELS) {
      const options = composeAccessOptions(access);
      expect(deriveAccess(options)).toBe(access);
      const limited = [
        { name: 'from', value: '10.0.0.0/8' },
        ...options,
        { name: 'expiry-time', value: '20300101Z' },
      ];
      expect(deriveAccess(limited)).toBe(access);
    }
  });

  it('calls any other set of options custom, in any order', () => {
    expect(deriveAccess(optionsOf('pty,restrict'))).toBe('interactive');
    expect(deriveAccess(optionsOf('restrict,port-forwarding'))).toBe('custom');
    expect(deriveAccess(optionsOf('no-pty'))).toBe('custom');
    expect(deriveAccess(optionsOf('command="true"'))).toBe('custom');
  });
});

describe('readsBackAs', () => {
  it('accepts a composed line that sshd reads as the same key and options', () => {
    const options = [...composeAccessOptions('interactive'), { name: 'from', value: '10.*' }];
    const line = formatAuthorizedKeysLine(options, key);
    expect(readsBackAs(line, options, key)).toBe(true);
  });

  it('refuses a line read as another key, other options, or more than one line', () => {
    const options = composeAccessOptions('restricted');
    const line = formatAuthorizedKeysLine(options, key);
    expect(readsBackAs(line, options, ecdsaKey)).toBe(false);
    expect(readsBackAs(line, [], key)).toBe(false);
    expect(readsBackAs(line, composeAccessOptions('interactive'), key)).toBe(false);
    expect(readsBackAs(`${line}\n`, options, key)).toBe(false);
    expect(readsBackAs(`${line}\0`, options, key)).toBe(false);
    expect(readsBackAs(`${line}\r`, options, key)).toBe(false);
  });

  it('compares the key type and the key blob each on its own', () => {
    const line = formatAuthorizedKeysLine([], key);
    expect(readsBackAs(line, [], otherEd25519Key)).toBe(false);
    expect(readsBackAs(line, [], { type: 'ssh-rsa', blob: key.blob })).toBe(false);
  });

  it('compares every option, by name and by value', () => {
    const restrict = { name: 'restrict', value: null };
    const pty = { name: 'pty', value: null };
    const from = { name: 'from', value: '10.*' };
    const line = formatAuthorizedKeysLine([restrict, pty, from], key);
    expect(readsBackAs(line, [restrict, { name: 'user-rc', value: null }, from], key)).toBe(false);
    expect(readsBackAs(line, [restrict, pty, { name: 'from', value: '10.0.*' }], key)).toBe(false);
    expect(readsBackAs(line, [restrict, pty, { name: 'command', value: '10.*' }], key)).toBe(false);
  });
});
