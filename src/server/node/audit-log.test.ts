/**
 * The audit trail (`--audit-log`) over the real Node server: one JSON line per change and per
 * refused change, appended to what the file held, with the client's address (the trusted
 * proxy's X-Forwarded-For only from the proxy), and never key material, tokens or cookies.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiPaths } from '../../api/ssh-keys.ts';
import { createApp } from '../http/app.ts';
import { auditEventSchema, type AuditEvent } from '../http/audit-event.ts';
import { createMemoryKeyStore } from '../store/memory-key-store.ts';
import { openAuditLog } from './audit-log.ts';
import { startServer, type RunningServer } from './node-server.ts';
import { httpRequest, type TestResponse } from '../../testing/http.ts';
import { localModeConfig, proxyModeConfig } from '../../testing/server-config.ts';
import { makeTestKey, type TestKey } from '../../testing/ssh-keygen.ts';

const token = 'audit-token-0123456789abcdefXYZ';
const cookieSecret = 'cookie-secret-5f0e9c2a7b1d';
const earlier = '{"earlier":"line kept as it was"}\n';
let dir: string;
let logPath: string;
let local: RunningServer;
let proxy: RunningServer;
let keyA: TestKey;

function auditLines(): AuditEvent[] {
  const text = fs.readFileSync(logPath, 'utf8');
  expect(text.startsWith(earlier)).toBe(true);
  return text
    .slice(earlier.length)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => auditEventSchema.parse(JSON.parse(line)));
}

function lastLine(): AuditEvent {
  const lines = auditLines();
  const last = lines.at(-1);
  if (last === undefined) throw new Error('the audit log has no line');
  return last;
}

function localRequest(method: string, urlPath: string, body?: unknown): Promise<TestResponse> {
  return httpRequest({
    port: local.port,
    method,
    path: urlPath,
    headers: {
      Host: `127.0.0.1:${local.port}`,
      Authorization: `Bearer ${token}`,
      Cookie: `session=${cookieSecret}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-audit-'));
  const home = path.join(dir, 'home');
  fs.mkdirSync(home, { mode: 0o755 });
  keyA = makeTestKey(dir, 'a');
  logPath = path.join(dir, 'audit.log');
  fs.writeFileSync(logPath, earlier, { mode: 0o640 });
  local = await startServer(localModeConfig(token, home, { auditLog: logPath }));
  proxy = await startServer(proxyModeConfig({ auditLog: logPath }));
});

afterAll(async () => {
  await local.close();
  await proxy.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('one line per change', () => {
  it('records an add with the key, its name, access, expiry and the client address', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const response = await localRequest('POST', apiPaths.sshKeys, {
      publicKey: keyA.publicLine,
      name: 'laptop',
      access: 'interactive',
      expiresAt,
    });
    expect(response.status).toBe(201);
    const line = lastLine();
    expect(line).toEqual({
      time: line.time,
      user: 'ada',
      action: 'add',
      fingerprint: keyA.fingerprint,
      keyType: 'ssh-ed25519',
      name: 'laptop',
      access: 'interactive',
      expiresAt,
      source: '127.0.0.1',
      result: 'ok',
      status: 201,
      error: null,
    });
    expect(Math.abs(Date.parse(line.time) - Date.now())).toBeLessThan(60_000);
  });

  it('records a refused add of the same key (409) with its fingerprint and error code', async () => {
    const before = auditLines().length;
    const response = await localRequest('POST', apiPaths.sshKeys, { publicKey: keyA.publicLine });
    expect(response.status).toBe(409);
    expect(auditLines()).toHaveLength(before + 1);
    expect(lastLine()).toMatchObject({
      user: 'ada',
      action: 'add',
      fingerprint: keyA.fingerprint,
      access: 'restricted',
      result: 'refused',
      status: 409,
      error: 'duplicate',
    });
  });

  it('records a refused add (400) without the request text it could not validate', async () => {
    const before = auditLines().length;
    const response = await localRequest('POST', apiPaths.sshKeys, {
      publicKey: keyA.publicLine,
      name: 'not a name; rm -rf',
    });
    expect(response.status).toBe(400);
    expect(auditLines()).toHaveLength(before + 1);
    expect(lastLine()).toMatchObject({
      user: 'ada',
      action: 'add',
      fingerprint: null,
      name: null,
      result: 'refused',
      status: 400,
      error: 'bad-request',
    });
  });

  it('records a pasted private key as refused, and nothing of the key', async () => {
    const privateText = fs.readFileSync(keyA.privatePath, 'utf8');
    const response = await localRequest('POST', apiPaths.sshKeys, { publicKey: privateText });
    expect(response.status).toBe(400);
    expect(lastLine()).toMatchObject({
      result: 'refused',
      error: 'private-key',
      fingerprint: null,
    });
  });

  it('records a delete and a refused delete of a key that is not there', async () => {
    const urlPath = `${apiPaths.sshKeys}/${encodeURIComponent(keyA.fingerprint)}`;
    expect((await localRequest('DELETE', urlPath)).status).toBe(204);
    expect(lastLine()).toMatchObject({
      user: 'ada',
      action: 'delete',
      fingerprint: keyA.fingerprint,
      result: 'ok',
      status: 204,
      error: null,
    });
    expect((await localRequest('DELETE', urlPath)).status).toBe(404);
    expect(lastLine()).toMatchObject({ action: 'delete', result: 'refused', error: 'not-found' });
  });

  it('records a change refused at sign-in with no user, and nothing for reads', async () => {
    const refused = await httpRequest({
      port: local.port,
      method: 'POST',
      path: apiPaths.sshKeys,
      headers: { Host: `127.0.0.1:${local.port}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ publicKey: keyA.publicLine }),
    });
    expect(refused.status).toBe(401);
    expect(lastLine()).toMatchObject({ user: null, result: 'refused', error: 'unauthorized' });
    const before = auditLines().length;
    expect((await localRequest('GET', apiPaths.sshKeys)).status).toBe(200);
    expect((await localRequest('GET', apiPaths.me)).status).toBe(200);
    expect(auditLines()).toHaveLength(before);
  });

  it('never holds the key blob, the token, the cookie or a private key armour', () => {
    const text = fs.readFileSync(logPath, 'utf8');
    const blob = keyA.publicLine.split(' ')[1] ?? '';
    expect(blob.length).toBeGreaterThan(40);
    for (const secret of [blob, token, cookieSecret, 'BEGIN', 'PRIVATE KEY']) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('source address', () => {
  function proxyAdd(localAddress: string, forwardedFor: string): Promise<TestResponse> {
    return httpRequest({
      port: proxy.port,
      method: 'POST',
      path: apiPaths.sshKeys,
      localAddress,
      headers: {
        'X-Forwarded-User': 'keysmith-no-such-user',
        'X-Forwarded-For': forwardedFor,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ publicKey: keyA.publicLine }),
    });
  }

  it("takes the trusted proxy's X-Forwarded-For (its first entry)", async () => {
    expect((await proxyAdd('127.0.0.1', '203.0.113.7, 10.0.0.1')).status).toBe(403);
    expect(lastLine()).toMatchObject({ source: '203.0.113.7', result: 'refused' });
  });

  it('ignores X-Forwarded-For from anyone else: the peer is the source', async () => {
    expect((await proxyAdd('127.0.0.2', '203.0.113.7')).status).toBe(403);
    expect(lastLine()).toMatchObject({ source: '127.0.0.2', user: null, error: 'forbidden' });
  });

  it('ignores an X-Forwarded-For that is no address', async () => {
    expect((await proxyAdd('127.0.0.1', 'evil", "result": "ok')).status).toBe(403);
    expect(lastLine()).toMatchObject({ source: '127.0.0.1' });
  });
});

describe('the writer', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const event: AuditEvent = {
    time: '2030-01-02T03:04:05.000Z',
    user: 'ada',
    action: 'delete',
    fingerprint: null,
    keyType: null,
    name: null,
    access: null,
    expiresAt: null,
    source: '127.0.0.1',
    result: 'refused',
    status: 404,
    error: 'not-found',
  };

  it('appends to an existing file, one line per event, each in one write', () => {
    const file = path.join(dir, 'writer.log');
    fs.writeFileSync(file, 'existing\n');
    const log = openAuditLog(file);
    const writes = vi.spyOn(fs, 'writeSync');
    log.write(event);
    log.write({ ...event, status: 409 });
    log.close();
    expect(writes).toHaveBeenCalledTimes(2);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines[0]).toBe('existing');
    expect(JSON.parse(lines[1] ?? '')).toEqual(event);
    expect(JSON.parse(lines[2] ?? '')).toEqual({ ...event, status: 409 });
  });

  it('writes to standard output for "-"', () => {
    const writes = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const log = openAuditLog('-');
    log.write(event);
    log.close();
    expect(writes).toHaveBeenCalledTimes(1);
    expect(String(writes.mock.calls[0]?.[0])).toBe(`${JSON.stringify(event)}\n`);
  });

  it('refuses an event with a field the schema does not name (a key, a token)', () => {
    const log = openAuditLog('-');
    const writes = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(() => log.write({ ...event, publicKey: keyA.publicLine } as AuditEvent)).toThrow();
    expect(writes).not.toHaveBeenCalled();
  });

  it('makes no event that holds the key blob or its comment, whatever the add request', async () => {
    const blob = keyA.publicLine.split(' ')[1] ?? '';
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[A-Za-z0-9 _.@-]{12,40}$/),
        fc.record(
          { name: fc.string(), access: fc.string(), extra: fc.string() },
          { requiredKeys: [] },
        ),
        async (comment, fields) => {
          const events: AuditEvent[] = [];
          const app = createApp({
            authenticate: () => Promise.resolve({ user: 'ada', mode: 'mock' }),
            storeFor: () => createMemoryKeyStore(''),
            now: () => new Date(),
            audit: (e) => events.push(e),
          });
          await app.request(apiPaths.sshKeys, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ ...fields, publicKey: `ssh-ed25519 ${blob} ${comment}` }),
          });
          expect(events).toHaveLength(1);
          const text = JSON.stringify(events);
          expect(text).not.toContain(blob);
          expect(text).not.toContain(comment);
        },
      ),
      { numRuns: 100 },
    );
  });
});
