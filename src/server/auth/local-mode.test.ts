/**
 * Local mode over the real Node server on 127.0.0.1: the bearer token as the only credential
 * (no cookie set or read, no sign-in redirect), DNS rebinding (Host) and cross-origin (Origin)
 * guards, static files with SPA fallback, file modes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localModeConfig } from '../../testing/server-config.ts';
import { apiPaths, errorResponseSchema, listKeysResponseSchema } from '../../api/ssh-keys.ts';
import { startServer, type RunningServer } from '../node/node-server.ts';
import { httpRequest } from '../../testing/http.ts';
import { makeTestKey, type TestKey } from '../../testing/ssh-keygen.ts';

const token = 'test-token-0123456789abcdef';
let dir: string;
let home: string;
let web: string;
let server: RunningServer;
let host: string;
const keys: Record<string, TestKey> = {};

function key(name: string): TestKey {
  const found = keys[name];
  if (found === undefined) throw new Error(`no test key ${name}`);
  return found;
}

function authorizedKeys(): string {
  return path.join(home, '.ssh', 'authorized_keys');
}

function readFileOrEmpty(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-local-'));
  home = path.join(dir, 'home');
  web = path.join(dir, 'web');
  fs.mkdirSync(home, { mode: 0o755 });
  fs.mkdirSync(path.join(web, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>Keysmith</title>');
  fs.writeFileSync(path.join(web, 'assets', 'app-1234.js'), 'console.log(1);');
  for (const name of ['a', 'b', 'c']) keys[name] = makeTestKey(dir, name);
  server = await startServer(localModeConfig(token, home, { staticDir: web }));
  host = `127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sign-in', () => {
  it('prints a sign-in URL on 127.0.0.1 with the token in the fragment, which browsers never send', () => {
    expect(server.signInUrl).toBe(`http://127.0.0.1:${server.port}/#token=${token}`);
  });

  it('answers page requests with the app, never a redirect or a cookie, whatever the path and query', async () => {
    for (const urlPath of [
      `/?token=${token}`,
      `/ssh-keys?token=${token}&tab=1`,
      `//evil.example/?token=${token}`,
      `//evil.example/`,
      `/\\evil.example/?token=${token}`,
      `/%2F%2Fevil.example/?token=${token}`,
      `/?token=wrong-token-xxxxxxxx`,
    ]) {
      const response = await httpRequest({ port: server.port, path: urlPath });
      expect([200, 400, 404], urlPath).toContain(response.status);
      expect(response.headers.location, urlPath).toBeUndefined();
      expect(response.headers['set-cookie'], urlPath).toBeUndefined();
      expect(response.body, urlPath).not.toContain(token);
    }
  });

  it('reads nothing without the bearer token', async () => {
    for (const urlPath of [apiPaths.me, apiPaths.sshKeys, '/api/unknown']) {
      const response = await httpRequest({ port: server.port, path: urlPath });
      expect(response.status, urlPath).toBe(401);
      const error = errorResponseSchema.parse(JSON.parse(response.body)).error;
      expect(error.code).toBe('unauthorized');
      expect(error.message).toContain('printed');
    }
    const wrongBearer = await httpRequest({
      port: server.port,
      path: apiPaths.me,
      headers: { Authorization: 'Bearer nope' },
    });
    expect(wrongBearer.status).toBe(401);
  });

  it('ignores cookies: the right token in a cookie, even in the old sign-in cookie, is not signed in', async () => {
    for (const cookie of [
      `keysmith-${server.port}=${token}`,
      `token=${token}`,
      `keysmith-${server.port}=${token}; keysmith=${token}`,
    ]) {
      const response = await httpRequest({
        port: server.port,
        path: apiPaths.sshKeys,
        headers: { Cookie: cookie },
      });
      expect(response.status, cookie).toBe(401);
      expect(response.body).not.toContain(key('a').fingerprint);
    }
  });

  it('refuses the token in an API query string', async () => {
    const response = await httpRequest({
      port: server.port,
      path: `${apiPaths.me}?token=${token}`,
    });
    expect(response.status).toBe(401);
  });

  it('lets in the bearer token, and a cookie planted beside it changes nothing', async () => {
    const ways: Record<string, string>[] = [
      { Authorization: `Bearer ${token}` },
      { Authorization: `bearer ${token}`, Cookie: `keysmith-${server.port}=planted` },
    ];
    for (const headers of ways) {
      const response = await httpRequest({ port: server.port, path: apiPaths.me, headers });
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ user: 'ada', mode: 'local' });
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['set-cookie']).toBeUndefined();
    }
  });
});

describe('DNS rebinding and cross-origin guards', () => {
  it('refuses a Host that is not a loopback name with our port, even with the token', async () => {
    for (const badHost of [
      `evil.example:${server.port}`,
      'evil.example',
      `127.0.0.1:${server.port + 1}`,
      `127.0.0.2:${server.port}`,
    ]) {
      const api = await httpRequest({
        port: server.port,
        path: apiPaths.sshKeys,
        headers: { Host: badHost, Authorization: `Bearer ${token}` },
      });
      expect(api.status, badHost).toBe(403);
      const page = await httpRequest({
        port: server.port,
        path: '/',
        headers: { Host: badHost },
      });
      expect(page.status, badHost).toBe(403);
    }
    for (const goodHost of [`localhost:${server.port}`, `LOCALHOST:${server.port}`]) {
      const response = await httpRequest({
        port: server.port,
        path: apiPaths.me,
        headers: { Host: goodHost, Authorization: `Bearer ${token}` },
      });
      expect(response.status, goodHost).toBe(200);
    }
  });

  it('refuses a change whose Origin names another origin, even with the token; the file is unchanged', async () => {
    const before = readFileOrEmpty(authorizedKeys());
    for (const origin of ['http://evil.example', `http://127.0.0.1:${server.port + 1}`, 'null']) {
      const response = await httpRequest({
        port: server.port,
        method: 'POST',
        path: apiPaths.sshKeys,
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          Origin: origin,
        },
        body: JSON.stringify({ publicKey: key('a').publicLine }),
      });
      expect(response.status, origin).toBe(403);
      expect(errorResponseSchema.parse(JSON.parse(response.body)).error.code).toBe('forbidden');
    }
    expect(readFileOrEmpty(authorizedKeys())).toBe(before);
  });

  it('accepts a change from the page itself (same Origin) and from a script (no Origin)', async () => {
    const fromPage = await httpRequest({
      port: server.port,
      method: 'POST',
      path: apiPaths.sshKeys,
      headers: {
        Authorization: `Bearer ${token}`,
        Origin: `http://${host}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ publicKey: key('a').publicLine, name: 'page' }),
    });
    expect(fromPage.status, fromPage.body).toBe(201);
    const fromScript = await httpRequest({
      port: server.port,
      method: 'POST',
      path: apiPaths.sshKeys,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ publicKey: key('b').publicLine, name: 'script' }),
    });
    expect(fromScript.status, fromScript.body).toBe(201);
    const crossSiteDelete = await httpRequest({
      port: server.port,
      method: 'DELETE',
      path: apiPaths.sshKey(key('a').fingerprint),
      headers: { Authorization: `Bearer ${token}`, Origin: 'http://evil.example' },
    });
    expect(crossSiteDelete.status).toBe(403);
    const list = await httpRequest({
      port: server.port,
      path: apiPaths.sshKeys,
      headers: { Authorization: `Bearer ${token}` },
    });
    const body = listKeysResponseSchema.parse(JSON.parse(list.body));
    expect(body.keys.map((k) => k.name)).toEqual(['page', 'script']);
    expect(body.path).toBe(authorizedKeys());
  });

  it('created ~/.ssh 0700 and authorized_keys 0600', () => {
    expect(fs.statSync(path.dirname(authorizedKeys())).mode & 0o7777).toBe(0o700);
    expect(fs.statSync(authorizedKeys()).mode & 0o7777).toBe(0o600);
  });

  it('deletes with the bearer token', async () => {
    const response = await httpRequest({
      port: server.port,
      method: 'DELETE',
      path: apiPaths.sshKey(key('a').fingerprint),
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(204);
    expect(readFileOrEmpty(authorizedKeys())).not.toContain(key('a').publicLine);
    expect(readFileOrEmpty(authorizedKeys())).toContain(key('b').publicLine);
  });
});

describe('bad input over the real server and file', () => {
  it('answers 4xx for injections, duplicates and unknown keys, the file byte-identical', async () => {
    const before = fs.readFileSync(authorizedKeys());
    const post = (body: string, type = 'application/json') =>
      httpRequest({
        port: server.port,
        method: 'POST',
        path: apiPaths.sshKeys,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': type },
        body,
      });
    const cases: [string, number, string][] = [
      [
        JSON.stringify({
          publicKey: `${key('c').publicLine}\ncommand="id" ${key('c').publicLine}`,
        }),
        400,
        'invalid-key',
      ],
      [JSON.stringify({ publicKey: `${key('c').publicLine}\r` + 'x' }), 400, 'invalid-key'],
      [JSON.stringify({ publicKey: `${key('c').publicLine}\u0000` }), 400, 'invalid-key'],
      [JSON.stringify({ publicKey: `no-pty ${key('c').publicLine}` }), 400, 'invalid-key'],
      [JSON.stringify({ publicKey: key('c').publicLine, name: 'x\ny' }), 400, 'bad-request'],
      [
        JSON.stringify({ publicKey: fs.readFileSync(key('c').privatePath, 'utf8') }),
        400,
        'private-key',
      ],
      [JSON.stringify({ publicKey: key('b').publicLine }), 409, 'duplicate'],
      [
        JSON.stringify({ publicKey: key('c').publicLine, name: 'y'.repeat(70_000) }),
        413,
        'too-large',
      ],
      ['{', 400, 'bad-request'],
    ];
    for (const [body, status, code] of cases) {
      const response = await post(body);
      expect(response.status, body.slice(0, 80)).toBe(status);
      expect(errorResponseSchema.parse(JSON.parse(response.body)).error.code).toBe(code);
    }
    const form = await post(
      `publicKey=${encodeURIComponent(key('c').publicLine)}`,
      'application/x-www-form-urlencoded',
    );
    expect(form.status).toBe(415);
    const missing = await httpRequest({
      port: server.port,
      method: 'DELETE',
      path: apiPaths.sshKey(key('c').fingerprint),
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(missing.status).toBe(404);
    expect(fs.readFileSync(authorizedKeys()).equals(before)).toBe(true);
  });
});

describe('static files', () => {
  it('serves index.html for app paths (SPA fallback) with the strict CSP', async () => {
    for (const urlPath of ['/', '/ssh-keys', '/ssh-keys/deep/link']) {
      const response = await httpRequest({ port: server.port, path: urlPath });
      expect(response.status, urlPath).toBe(200);
      expect(response.body).toContain('<title>Keysmith</title>');
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('serves assets with their type, and a missing asset is a 404, not the app', async () => {
    const asset = await httpRequest({ port: server.port, path: '/assets/app-1234.js' });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect(asset.headers['cache-control']).toContain('immutable');
    const missing = await httpRequest({ port: server.port, path: '/assets/nope.js' });
    expect(missing.status).toBe(404);
  });

  it('never serves files outside the web root', async () => {
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'SECRET');
    for (const urlPath of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
    ]) {
      const response = await httpRequest({ port: server.port, path: urlPath });
      expect(response.body, urlPath).not.toContain('SECRET');
    }
  });

  it('never answers /api paths with the app', async () => {
    const response = await httpRequest({
      port: server.port,
      path: '/api/ssh-keys/extra/path',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(404);
    expect(errorResponseSchema.parse(JSON.parse(response.body)).error.code).toBe('not-found');
  });
});
