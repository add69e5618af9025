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
});

const quirksOf = (line: string) => parseAuthorizedKeysLine(line).quirks;
const accepts = (options: string) => parseAuthorizedKeysLine(`${options} ${keyText}`).options;

describe('parseAuthorizedKeysLine reads what sshd reads', () => {
  it('refuses a line that is not a string or holds an LF', () => {
    expect(() => parseAuthorizedKeysLine(1 as unknown as string)).toThrow(
      new TypeError('"line" must be a string'),
    );
    expect(() => parseAuthorizedKeysLine(`${keyText}\nrestrict ${keyText}`)).toThrow(
      new RangeError('"line" must be a single line without its newline'),
    );
  });

  it('ends the line at a NUL, as sshd reads a C string, and says so', () => {
    const entry = parseAuthorizedKeysLine(`${keyText}\0command="sh"`);
    expect(entry.key.comment).toBe('keysmith@example');
    expect(entry.options).toEqual([]);
    expect(entry.quirks).toEqual(['nul']);
    expect(quirksOf(`restrict ${keyText}\0x`)).toEqual(['nul']);
  });

  it('ends options at a tab as at a space, and strips only a trailing CR', () => {
    expect(accepts('restrict,pty\t')).toHaveLength(2);
    expect(parseAuthorizedKeysLine(` \t restrict ${keyText}`).options).toHaveLength(1);
    expect(parseAuthorizedKeysLine(`restrict\t${keyText}`).options).toHaveLength(1);
    expect(parseAuthorizedKeysLine(`${keyText}\rx\r`).key.comment).toBe('keysmith@example\rx');
    expect(refusal(`\0${keyText}`)).toMatch(/blank or a # comment/);
  });

  it('refuses with the invalid-key code', () => {
    for (const line of ['', `foo ${keyText}`]) {
      expect(() => parseAuthorizedKeysLine(line)).toThrow(
        expect.objectContaining({ code: 'invalid-key' }),
      );
    }
  });

  it('reports a bare key line that sshd cannot read by its own problem', () => {
    expect(refusal('ssh-ed25519 AAAA')).toMatch(/cut short/);
  });

  it('quotes at most 40 or 60 characters of an unknown word', () => {
    const long = 'x'.repeat(100);
    expect(refusal(long)).toContain(`"${'x'.repeat(40)}" is not a key`);
    expect(refusal(`restrict,${long} ${keyText}`)).toContain(
      `"${'x'.repeat(60)}" is not an option`,
    );
  });

  it('treats \\" as an escaped quote: a backslash before the closing quote leaves it open', () => {
    expect(refusal(`command="a\\" ${keyText}`)).toMatch(/never closed/);
    expect(accepts('command="a\\b"')).toEqual([{ name: 'command', value: 'a\\b' }]);
    expect(refusal(`restrict\\ ${keyText}`)).toMatch(/"restrict\\" is not an option/);
  });

  it('matches flags by prefix as opt_flag does: ptycommand= is pty followed by junk', () => {
    expect(refusal(`ptycommand="x" ${keyText}`)).toMatch(/"ptycommand="x"" is not an option/);
  });

  it('reads a key whose comment names a key type, and reports an unknown key word as itself', () => {
    const line = `restrict ${formatPublicKey({ ...key, comment: 'ssh-rsa' })}`;
    expect(parseAuthorizedKeysLine(line).key.comment).toBe('ssh-rsa');
    expect(refusal('restrict foo AAAA')).not.toMatch(/options contain a space/);
  });

  it('refuses a second principals=', () => {
    expect(refusal(`principals="a",principals="b" ${keyText}`)).toMatch(
      /more than one principals= option/,
    );
  });

  it('marks cert-authority and principals= lines, which never let the key itself in', () => {
    expect(quirksOf(`cert-authority,principals="a" ${keyText}`)).toEqual(['cert-authority']);
    expect(quirksOf(`cert-authority ${keyText}`)).toEqual(['cert-authority']);
    expect(quirksOf(`principals="a" ${keyText}`)).toEqual(['principals']);
    expect(quirksOf(`restrict ${keyText}`)).toEqual([]);
  });

  it('folds only A-Z in option names, also on a line with non-ASCII text', () => {
    expect(accepts('from="İ",RESTRICT')).toEqual([
      { name: 'from', value: 'İ' },
      { name: 'restrict', value: null },
    ]);
  });

  it('reads permitopen ports as a2port does: 1 to 65535, * or a service name', () => {
    for (const port of ['1', '65535', '*', 'ssh', 'x-1.2_3+']) {
      expect(accepts(`permitopen="host:${port}"`)).toEqual([
        { name: 'permitopen', value: `host:${port}` },
      ]);
    }
    for (const port of ['0', '65536', '-1', '1ssh', 'ssh!', '']) {
      expect(refusal(`permitopen="host:${port}" ${keyText}`)).toMatch(/is not host:port/);
    }
    expect(accepts('permitopen="h:+22"')).toHaveLength(1);
  });

  it('reads the host as hpdelim2 does: [host] for IPv6, : or / before the port, under NI_MAXHOST', () => {
    for (const value of ['[::1]:22', '[::1]/22', 'host/22', ':22', `${'h'.repeat(1024)}:22`]) {
      expect(accepts(`permitopen="${value}"`)).toEqual([{ name: 'permitopen', value }]);
    }
    for (const value of ['[::1]22', '[::1:22', `${'h'.repeat(1025)}:22`, '[::1]']) {
      expect(refusal(`permitopen="${value}" ${keyText}`)).toMatch(/is not host:port/);
    }
    expect(accepts('permitlisten="22"')).toEqual([{ name: 'permitlisten', value: '22' }]);
    expect(refusal(`permitopen="22" ${keyText}`)).toMatch(/is not host:port/);
  });

  it('reads tunnel= as a2tun does: "any" in any case, or 0 to SSH_TUNID_MAX', () => {
    for (const value of ['any', 'ANY', '0', '-0', ' \t\v+1', '2147483645']) {
      expect(accepts(`tunnel="${value}"`)).toEqual([{ name: 'tunnel', value }]);
    }
    for (const value of ['-1', '2147483646', '1 ', 'x1', 'anyx']) {
      expect(refusal(`tunnel="${value}" ${keyText}`)).toMatch(/not a tunnel device/);
    }
  });

  it('refuses an environment= without a name', () => {
    expect(refusal(`environment="=x" ${keyText}`)).toMatch(/environment= must be NAME=value/);
  });

  it('allows 1025 environment names (SSH_AUTHOPT_ENV_MAX, checked before each is added); a repeated name counts once', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `environment="V${i}=1"`);
    expect(accepts(`${names(1025).join(',')},command="x"`)).toHaveLength(1026);
    expect(refusal(`${names(1026).join(',')} ${keyText}`)).toMatch(
      /more than 1024 environment= options/,
    );
    const same = Array.from({ length: 1026 }, (_, i) => `environment="V=${i}"`);
    expect(accepts(same.join(','))).toHaveLength(1026);
  });

  it('allows 4097 permitopen= and 4097 permitlisten= (SSH_AUTHOPT_PERMIT_MAX, each list on its own)', () => {
    const permits = (name: string, n: number) => Array(n).fill(`${name}="h:1"`).join(',');
    expect(accepts(`${permits('permitopen', 4097)},${permits('permitlisten', 4097)}`)).toHaveLength(
      8194,
    );
    expect(refusal(`${permits('permitopen', 4098)} ${keyText}`)).toMatch(
      /more than 4096 permitopen= options/,
    );
    expect(refusal(`${permits('permitlisten', 4098)} ${keyText}`)).toMatch(
      /more than 4096 permitlisten= options/,
    );
  });

  it('says when options are not spelt as Keysmith writes them', () => {
    const spelling = (options: string) =>
      quirksOf(`${options} ${keyText}`).includes('option-spelling');
    for (const options of [
      'restrict,pty',
      'command="x",from="a"',
      'tunnel="any"',
      'tunnel="0"',
      'tunnel="123"',
      'permitopen="host:8080"',
      'permitopen="[::1]:80"',
      'permitopen="host:*"',
      'permitlisten="8080"',
      'permitlisten="localhost:8080"',
      'expiry-time="20991231"',
      'expiry-time="209912312359"',
      'expiry-time="20991231235959Z"',
    ]) {
      expect(spelling(options), options).toBe(false);
    }
    for (const options of [
      'RESTRICT',
      'Command="x"',
      ',restrict',
      'restrict,,pty',
      'restrict,',
      'tunnel="ANY"',
      'tunnel="00"',
      'tunnel="+1"',
      'permitopen="host:ssh"',
      'permitopen="host/80"',
      'permitopen="host:080"',
      'permitlisten="ssh"',
      'permitlisten="08080"',
      'permitlisten="*"',
      'expiry-time="20991231UTC"',
      'expiry-time="20991231z"',
      'expiry-time="2099 101120000"',
    ]) {
      expect(spelling(options), options).toBe(true);
    }
    expect(quirksOf(`RESTRICT ${keyText}`)).toEqual(['option-spelling']);
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

  it('refuses options that are not an array and values that are not strings', () => {
    expect(() => formatAuthorizedKeysLine('restrict' as never, key)).toThrow(
      new TypeError('"options" must be an array'),
    );
    expect(() =>
      formatAuthorizedKeysLine([{ name: 'command', value: 5 as unknown as string }], key),
    ).toThrow(new TypeError('the value of "command" must be a string or null'));
    expect(() => formatAuthorizedKeysLine([{ name: 'command', value: 'a"b' }], key)).toThrow(
      'the value of "command" must not contain ", \\, CR, LF or NUL',
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
