import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeArgs } from '../../../cli/serve-command.ts';

let dir: string;
let passwordFile: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-ldap-flags-'));
  passwordFile = path.join(dir, 'bind-password');
  fs.writeFileSync(passwordFile, 's3cret\n', { mode: 0o600 });
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function ldapArgs(url: string, ...more: string[]): string[] {
  return [
    '--store',
    'ldap',
    '--ldap-url',
    url,
    '--ldap-bind-dn',
    'cn=keysmith,dc=example,dc=org',
    '--ldap-bind-password-file',
    passwordFile,
    '--ldap-user-base',
    'ou=people,dc=example,dc=org',
    ...more,
  ];
}

function errorOf(parsed: ReturnType<typeof parseServeArgs>): string {
  return 'error' in parsed ? parsed.error : '';
}

describe('--store ldap flags', () => {
  it('reads the flags and the password file (its final newline dropped), with the defaults', () => {
    const parsed = parseServeArgs(ldapArgs('ldap://127.0.0.1:3389'), {});
    expect('config' in parsed && parsed.config.ldap).toEqual({
      url: 'ldap://127.0.0.1:3389',
      startTls: false,
      bindDn: 'cn=keysmith,dc=example,dc=org',
      bindPassword: 's3cret',
      userBase: 'ou=people,dc=example,dc=org',
      userFilter: '(uid=%u)',
      keyAttribute: 'sshPublicKey',
      cacheMinutes: 90,
    });
  });

  it('keeps the file store the default', () => {
    const parsed = parseServeArgs([], {});
    expect('config' in parsed && parsed.config.ldap).toBeUndefined();
  });

  it('refuses plain ldap:// to another host at start, saying what to use instead', () => {
    const error = errorOf(parseServeArgs(ldapArgs('ldap://ldap.example.org'), {}));
    expect(error).toContain('--ldap-url ldap://ldap.example.org would send the bind password');
    expect(error).toContain('ldaps://ldap.example.org');
    expect(error).toContain('--ldap-starttls');
  });

  it('accepts ldap:// to another host with StartTLS, and ldaps:// with a CA file', () => {
    const starttls = parseServeArgs(ldapArgs('ldap://ldap.example.org', '--ldap-starttls'), {});
    expect('config' in starttls && starttls.config.ldap?.startTls).toBe(true);
    const ca = path.join(dir, 'ca.pem');
    fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const ldaps = parseServeArgs(
      ldapArgs(
        'ldaps://ldap.example.org:636',
        '--ldap-ca-file',
        ca,
        '--directory-cache-minutes',
        '15',
      ),
      {},
    );
    expect('config' in ldaps && ldaps.config.ldap).toMatchObject({
      url: 'ldaps://ldap.example.org:636',
      startTls: false,
      ca: expect.stringContaining('BEGIN CERTIFICATE') as unknown,
      cacheMinutes: 15,
    });
  });

  it('refuses a CA file without a certificate', () => {
    const notPem = path.join(dir, 'not.pem');
    fs.writeFileSync(notPem, 'hello\n');
    expect(errorOf(parseServeArgs(ldapArgs('ldaps://h', '--ldap-ca-file', notPem), {}))).toContain(
      'holds no PEM certificate',
    );
  });

  it('names every missing flag', () => {
    expect(errorOf(parseServeArgs(['--store', 'ldap'], {}))).toBe(
      '--store ldap needs --ldap-url URL, --ldap-bind-dn DN, --ldap-bind-password-file FILE, --ldap-user-base DN. See the README, "Keys in LDAP or FreeIPA".',
    );
  });

  it('refuses --ldap-* flags without --store ldap', () => {
    expect(errorOf(parseServeArgs(['--ldap-url', 'ldaps://h'], {}))).toBe(
      '--ldap-url needs --store ldap.',
    );
  });

  it('refuses a user filter without %u or that is no filter, and a URL with a path', () => {
    expect(
      errorOf(parseServeArgs(ldapArgs('ldap://127.0.0.1', '--ldap-user-filter', '(uid=x)'), {})),
    ).toContain('must contain %u');
    expect(
      errorOf(parseServeArgs(ldapArgs('ldap://127.0.0.1', '--ldap-user-filter', '(uid=%u'), {})),
    ).toContain('is not an LDAP filter');
    expect(errorOf(parseServeArgs(ldapArgs('ldaps://h/dc=example'), {}))).toContain(
      'the server alone',
    );
  });

  it('reads --ldap-starttls as true in a --config file', () => {
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        store: 'ldap',
        'ldap-url': 'ldap://ldap.example.org',
        'ldap-starttls': true,
        'ldap-bind-dn': 'cn=keysmith,dc=example,dc=org',
        'ldap-bind-password-file': passwordFile,
        'ldap-user-base': 'ou=people,dc=example,dc=org',
        'ldap-key-attribute': 'ipaSshPubKey',
      }),
    );
    const parsed = parseServeArgs(['--config', file], {});
    expect('config' in parsed && parsed.config.ldap).toMatchObject({
      startTls: true,
      keyAttribute: 'ipaSshPubKey',
    });
    fs.writeFileSync(file, JSON.stringify({ 'ldap-starttls': 'yes' }));
    expect(errorOf(parseServeArgs(['--config', file], {}))).toContain('must be true or false');
  });
});
