import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseServeArgs } from './serve-command.ts';
import { SERVE_HELP } from './serve-help.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-oidc-flags-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string, mode = 0o600): string {
  const target = path.join(dir, name);
  fs.writeFileSync(target, content);
  fs.chmodSync(target, mode);
  return target;
}

const secretFile = file('secret', 'the-client-secret\n');
const keyText = randomBytes(48).toString('base64');
const keyFile = file('session.key', `${keyText}\n`);

function oidcArgs(overrides: Record<string, string | null> = {}): string[] {
  const flags: Record<string, string | null> = {
    auth: 'oidc',
    'public-url': 'https://keys.example.org',
    'oidc-issuer': 'https://login.example.org/realms/staff',
    'oidc-client-id': 'keysmith',
    'oidc-client-secret-file': secretFile,
    'session-key-file': keyFile,
    ...overrides,
  };
  return Object.entries(flags).flatMap(([name, value]) =>
    value === null ? [] : [`--${name}`, value],
  );
}

function errorOf(argv: string[]): string {
  const parsed = parseServeArgs(argv, {});
  return 'error' in parsed ? parsed.error : '';
}

describe('keysmith serve --auth oidc', () => {
  it('reads the flags and the two files, with the defaults', () => {
    const parsed = parseServeArgs(oidcArgs(), {});
    if (!('config' in parsed)) throw new Error(JSON.stringify(parsed));
    expect(parsed.config.auth).toBe('oidc');
    expect(parsed.config.publicUrl).toBe('https://keys.example.org');
    const oidc = parsed.config.oidc;
    expect(oidc).toMatchObject({
      issuer: 'https://login.example.org/realms/staff',
      clientId: 'keysmith',
      clientSecret: 'the-client-secret',
      userClaim: 'preferred_username',
      sessionHours: 8,
    });
    expect(oidc?.stripDomain).toBeUndefined();
    expect(Buffer.from(oidc?.sessionKey ?? []).toString()).toBe(keyText);
  });

  it('takes the claim, the domain to strip and the session lifetime', () => {
    const parsed = parseServeArgs(
      oidcArgs({
        'oidc-user-claim': 'email',
        'oidc-user-strip-domain': 'Example.ORG',
        'session-hours': '1.5',
      }),
      {},
    );
    if (!('config' in parsed)) throw new Error(JSON.stringify(parsed));
    expect(parsed.config.oidc).toMatchObject({
      userClaim: 'email',
      stripDomain: 'example.org',
      sessionHours: 1.5,
    });
  });

  it('names every required flag that is missing', () => {
    const message = errorOf(['--auth', 'oidc']);
    for (const flag of [
      '--oidc-issuer URL',
      '--oidc-client-id ID',
      '--oidc-client-secret-file FILE',
      '--public-url URL',
      '--session-key-file FILE',
    ]) {
      expect(message).toContain(flag);
    }
    expect(errorOf(oidcArgs({ 'session-key-file': null }))).toMatch(
      /^OIDC mode needs --session-key-file FILE\./,
    );
  });

  it('refuses a short or open session key file and an empty secret, saying how to fix it', () => {
    const short = file('short.key', 'x'.repeat(20));
    expect(errorOf(oidcArgs({ 'session-key-file': short }))).toMatch(
      /--session-key-file: .*20 bytes.*openssl rand -base64 48/,
    );
    const open = file('open.key', keyText, 0o644);
    expect(errorOf(oidcArgs({ 'session-key-file': open }))).toMatch(/chmod 600/);
    const empty = file('empty-secret', '\n');
    expect(errorOf(oidcArgs({ 'oidc-client-secret-file': empty }))).toMatch(
      /is empty\. Put the client secret/,
    );
    expect(errorOf(oidcArgs({ 'oidc-client-secret-file': path.join(dir, 'absent') }))).toMatch(
      /Cannot read --oidc-client-secret-file/,
    );
  });

  it('refuses bad values with the flag named', () => {
    expect(errorOf(oidcArgs({ 'oidc-issuer': 'login.example.org' }))).toMatch(/--oidc-issuer/);
    expect(errorOf(oidcArgs({ 'session-hours': '0' }))).toMatch(/--session-hours/);
    expect(errorOf(oidcArgs({ 'session-hours': 'eight' }))).toMatch(/--session-hours/);
    expect(errorOf(oidcArgs({ 'oidc-user-strip-domain': '@example.org' }))).toMatch(
      /--oidc-user-strip-domain/,
    );
  });

  it('lists the OIDC flags in --help', () => {
    for (const flag of [
      '--auth local|proxy|oidc',
      '--oidc-issuer',
      '--oidc-client-id',
      '--oidc-client-secret-file',
      '--oidc-user-claim',
      '--oidc-user-strip-domain',
      '--session-key-file',
      '--session-hours',
    ]) {
      expect(SERVE_HELP).toContain(flag);
    }
  });
});
