import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSessionCodec, type SessionCodecOptions } from './oidc-session.ts';
import { createCookieSealer, loadSessionKey, readCookie } from './session-cookie.ts';

const KEY = randomBytes(48);
const T0 = new Date('2026-03-01T10:00:00Z');

function codec(overrides: Partial<SessionCodecOptions> = {}) {
  return createSessionCodec({ key: KEY, hours: 8, secure: false, now: () => T0, ...overrides });
}

/** The name=value part of a Set-Cookie value. */
function pair(setCookie: string): string {
  return setCookie.split(';')[0] ?? '';
}

function requestWith(cookie: string): Request {
  return new Request('http://127.0.0.1/api/me', { headers: { Cookie: cookie } });
}

describe('session cookie', () => {
  it('reads back the session it issued, with its user and lifetime', () => {
    const setCookie = codec().issue('alice', 'id.token.hint');
    expect(setCookie).toMatch(
      /^keysmith-session=[A-Za-z0-9_-]+; Path=\/; Max-Age=28800; HttpOnly; SameSite=Lax$/,
    );
    expect(codec().read(requestWith(`other=1; ${pair(setCookie)}`))).toEqual({
      user: 'alice',
      issued: T0.getTime(),
      expires: T0.getTime() + 8 * 3600_000,
      idTokenHint: 'id.token.hint',
    });
  });

  it('is Secure with the __Host- prefix when the public URL is https', () => {
    const secure = codec({ secure: true });
    const setCookie = secure.issue('alice');
    expect(setCookie).toMatch(/^__Host-keysmith-session=.*; Path=\/; .*; Secure$/);
    expect(secure.read(requestWith(pair(setCookie)))?.user).toBe('alice');
    // The plain name is not read over https: a sibling http page could have planted it.
    const plain = pair(codec().issue('alice')).replace(/^[^=]*=/, 'keysmith-session=');
    expect(secure.read(requestWith(plain))).toBeNull();
  });

  it('refuses a tampered cookie, whichever byte changed', () => {
    const value = pair(codec().issue('alice')).slice('keysmith-session='.length);
    const raw = Buffer.from(value, 'base64url');
    for (let index = 0; index < raw.length; index += 1) {
      const changed = Buffer.from(raw);
      changed[index] = (changed[index] ?? 0) ^ 0x01;
      expect(
        codec().read(requestWith(`keysmith-session=${changed.toString('base64url')}`)),
      ).toBeNull();
    }
    expect(codec().read(requestWith(`keysmith-session=${value.slice(0, -2)}`))).toBeNull();
    expect(codec().read(requestWith(`keysmith-session=${value}!`))).toBeNull();
    expect(codec().read(requestWith('keysmith-session='))).toBeNull();
  });

  it('refuses an expired session, judged by the payload and not by Max-Age', () => {
    const setCookie = pair(codec().issue('alice'));
    const at = (ms: number) => codec({ now: () => new Date(T0.getTime() + ms) });
    expect(at(8 * 3600_000 - 1).read(requestWith(setCookie))?.user).toBe('alice');
    expect(at(8 * 3600_000).read(requestWith(setCookie))).toBeNull();
    // A shorter --session-hours ends the sessions already issued under the longer one.
    const shorter = codec({ hours: 1, now: () => new Date(T0.getTime() + 3600_000) });
    expect(shorter.read(requestWith(setCookie))).toBeNull();
    // Issued in the future (a replica's clock far ahead): refused.
    expect(at(-120_000).read(requestWith(setCookie))).toBeNull();
  });

  it('refuses a cookie sealed with another key (a foreign Keysmith)', () => {
    const foreign = pair(codec({ key: randomBytes(48) }).issue('alice'));
    expect(codec().read(requestWith(foreign))).toBeNull();
  });

  it('refuses a value sealed for another purpose with the same key', () => {
    const login = createCookieSealer(KEY, 'login').seal({
      user: 'alice',
      issued: T0.getTime(),
      expires: T0.getTime() + 1000,
    });
    expect(codec().read(requestWith(`keysmith-session=${login}`))).toBeNull();
  });

  it('refuses a payload of the wrong shape even when sealed with the key', () => {
    const sealer = createCookieSealer(KEY, 'session');
    const sealed = (payload: unknown) => `keysmith-session=${sealer.seal(payload)}`;
    expect(codec().read(requestWith(sealed({ user: 'alice' })))).toBeNull();
    expect(
      codec().read(
        requestWith(sealed({ user: 'alice', issued: T0.getTime(), expires: 1e15, admin: true })),
      ),
    ).toBeNull();
  });

  it('reads cookies by exact name', () => {
    expect(readCookie('a=1; keysmith-session=x; b=2', 'keysmith-session')).toBe('x');
    expect(readCookie('xkeysmith-session=y', 'keysmith-session')).toBeNull();
    expect(readCookie(null, 'keysmith-session')).toBeNull();
  });
});

describe('session key file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-session-key-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(name: string, content: string, mode: number): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    fs.chmodSync(file, mode);
    return file;
  }

  it('reads a key of 32 bytes or more, without its final newline', () => {
    const text = randomBytes(48).toString('base64');
    const file = write('good', `${text}\n`, 0o600);
    expect(Buffer.from(loadSessionKey(file)).toString()).toBe(text);
  });

  it('refuses a short key, saying how to make one', () => {
    const file = write('short', `${'a'.repeat(31)}\n`, 0o600);
    expect(() => loadSessionKey(file)).toThrow(/31 bytes.*at least 32.*openssl rand -base64 48/);
  });

  it('refuses a key file others may read, saying how to fix it', () => {
    const file = write('open', randomBytes(48).toString('base64'), 0o644);
    expect(() => loadSessionKey(file)).toThrow(/readable by others \(mode 644\).*chmod 600/);
    fs.chmodSync(file, 0o640);
    expect(() => loadSessionKey(file)).toThrow(/chmod 600/);
  });

  it('refuses a missing file, saying how to make one', () => {
    expect(() => loadSessionKey(path.join(dir, 'absent'))).toThrow(
      /cannot read the session key file .*openssl rand -base64 48/,
    );
  });
});
