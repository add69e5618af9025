import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiPaths,
  createKeyResponseSchema,
  errorResponseSchema,
  listKeysResponseSchema,
  meResponseSchema,
} from '../../api/ssh-keys.ts';
import { createApp, type AuthFailure, type Identity } from './app.ts';
import { createMemoryKeyStore, type MemoryKeyStore } from '../store/memory-key-store.ts';
import { makeTestKey, type TestKey } from '../../testing/ssh-keygen.ts';

let dir: string;
let ed: TestKey;
let ed2: TestKey;
let rsa: TestKey;
/** A key whose fingerprint holds "/" and "+": they must survive URL encoding and routing. */
let awkward: TestKey;
const now = new Date('2026-03-04T05:06:07Z');

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-app-'));
  ed = makeTestKey(dir, 'ed');
  ed2 = makeTestKey(dir, 'ed2');
  rsa = makeTestKey(dir, 'rsa', { type: 'rsa' });
  for (let i = 0; ; i += 1) {
    awkward = makeTestKey(dir, `awkward${i}`);
    if (awkward.fingerprint.includes('/') && awkward.fingerprint.includes('+')) break;
    if (i > 200) throw new Error('no fingerprint with "/" and "+" in 200 keys');
  }
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function setup(
  initialText = '',
  authenticate: (request: Request) => Promise<Identity | AuthFailure> = () =>
    Promise.resolve({ user: 'ada', mode: 'mock' }),
) {
  const stores = new Map<string, MemoryKeyStore>();
  const storeFor = (user: string) => {
    let store = stores.get(user);
    if (store === undefined) {
      store = createMemoryKeyStore(user === 'ada' ? initialText : '', { now: () => now });
      stores.set(user, store);
    }
    return store;
  };
  const app = createApp({
    authenticate,
    storeFor,
    now: () => now,
    staticFiles: (request) =>
      Promise.resolve(
        new URL(request.url).pathname === '/missing.js'
          ? null
          : new Response('<!doctype html><title>app</title>', {
              headers: { 'Content-Type': 'text/html' },
            }),
      ),
  });
  return { app, store: storeFor('ada') };
}

function post(body: unknown, headers: Record<string, string> = {}) {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

async function errorOf(response: Response) {
  return errorResponseSchema.parse(await response.json()).error;
}

function expectSecurityHeaders(response: Response) {
  const csp = response.headers.get('Content-Security-Policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("base-uri 'none'");
  expect(csp).toContain("script-src 'self';");
  expect(csp).not.toMatch(/script-src[^;]*unsafe/);
  expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
  expect(response.headers.get('X-Frame-Options')).toBe('DENY');
  expect(response.headers.get('Referrer-Policy')).toBe('no-referrer');
}

describe('Content-Security-Policy', () => {
  it('lets the page connect to its own origin only, unless an API origin is configured', async () => {
    const { app } = setup();
    const plain = (await app.request(apiPaths.me)).headers.get('Content-Security-Policy') ?? '';
    expect(plain).toMatch(/(^|; )connect-src 'self'(;|$)/);

    const withSeqera = createApp({
      authenticate: () => Promise.resolve({ user: 'ada', mode: 'mock' }),
      storeFor: () => createMemoryKeyStore(''),
      now: () => new Date(),
      connectSources: ['https://api.cloud.seqera.io'],
    });
    const csp = (await withSeqera.request(apiPaths.me)).headers.get('Content-Security-Policy');
    expect(csp).toMatch(/(^|; )connect-src 'self' https:\/\/api\.cloud\.seqera\.io(;|$)/);
    expect(csp).toContain("script-src 'self';");
  });
});

describe('GET /api/me', () => {
  it('names the signed-in user and the mode', async () => {
    const { app } = setup();
    const response = await app.request(apiPaths.me);
    expect(response.status).toBe(200);
    expect(await response.clone().json()).toEqual({ user: 'ada', mode: 'mock' });
    expect(meResponseSchema.parse(await response.json())).toEqual({
      user: 'ada',
      mode: 'mock',
      seqeraApis: [],
    });
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expectSecurityHeaders(response);
  });

  it('names the Seqera APIs the page may send a credential to (--seqera-api)', async () => {
    const app = createApp({
      authenticate: () => Promise.resolve({ user: 'ada', mode: 'local' }),
      storeFor: () => createMemoryKeyStore(''),
      now: () => now,
      connectSources: ['https://api.cloud.seqera.io', 'https://seqera.example.org'],
    });
    const body = meResponseSchema.parse(await (await app.request(apiPaths.me)).json());
    expect(body.seqeraApis).toEqual(['https://api.cloud.seqera.io', 'https://seqera.example.org']);
  });
});

describe('GET /api/ssh-keys', () => {
  it('lists every key of the file with the schema the client parses', async () => {
    const { app } = setup(`# x\n${rsa.publicLine}\n`);
    const response = await app.request(apiPaths.sshKeys);
    expect(response.status).toBe(200);
    const body = listKeysResponseSchema.parse(await response.json());
    expect(body.keys.map((key) => key.fingerprint)).toEqual([rsa.fingerprint]);
    expect(body.keys[0]?.managed).toBe(false);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
  });
});

describe('POST /api/ssh-keys', () => {
  it('adds the key and answers 201 with it; the list shows it', async () => {
    const { app, store } = setup('# mine\r\n');
    const response = await app.request(
      apiPaths.sshKeys,
      post({ publicKey: ed.publicLine, name: 'laptop', access: 'interactive' }),
    );
    expect(response.status).toBe(201);
    const { key } = createKeyResponseSchema.parse(await response.json());
    expect(key).toMatchObject({
      fingerprint: ed.fingerprint,
      name: 'laptop',
      access: 'interactive',
      managed: true,
      addedAt: '2026-03-04T05:06:07Z',
    });
    expect(store.text()).toBe(
      `# mine\r\n# keysmith name=laptop added=2026-03-04T05:06:07Z\nrestrict,pty ${ed.publicLine}\n`,
    );
    const list = listKeysResponseSchema.parse(await (await app.request(apiPaths.sshKeys)).json());
    expect(list.keys).toEqual([key]);
  });

  it('answers 409 for the same key twice, file unchanged', async () => {
    const { app, store } = setup(`${ed.publicLine}\n`);
    const response = await app.request(apiPaths.sshKeys, post({ publicKey: ed.publicLine }));
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe('duplicate');
    expect(store.text()).toBe(`${ed.publicLine}\n`);
  });

  const injections: Record<string, { body: () => unknown; code: string }> = {
    'LF in comment + injected line': {
      body: () => ({ publicKey: `${ed.publicLine}\ncommand="touch /tmp/x" ${ed2.publicLine}` }),
      code: 'invalid-key',
    },
    'CR in comment': {
      body: () => ({ publicKey: `${ed.publicLine}\r${ed2.publicLine}` }),
      code: 'invalid-key',
    },
    'NUL in comment': { body: () => ({ publicKey: `${ed.publicLine}\0` }), code: 'invalid-key' },
    'LF in name': {
      body: () => ({ publicKey: ed.publicLine, name: 'a\nssh-ed25519' }),
      code: 'bad-request',
    },
    'CR in name': { body: () => ({ publicKey: ed.publicLine, name: 'a\rb' }), code: 'bad-request' },
    'NUL in name': {
      body: () => ({ publicKey: ed.publicLine, name: 'a\0b' }),
      code: 'bad-request',
    },
    'options smuggled in publicKey': {
      body: () => ({ publicKey: `command="touch /tmp/x" ${ed.publicLine}` }),
      code: 'invalid-key',
    },
    'two keys in one body': {
      body: () => ({ publicKey: `${ed.publicLine}\n${ed2.publicLine}` }),
      code: 'invalid-key',
    },
    'private key pasted': {
      body: () => ({ publicKey: fs.readFileSync(ed.privatePath, 'utf8') }),
      code: 'private-key',
    },
    'quote in from': {
      body: () => ({ publicKey: ed.publicLine, from: ['1.2.3.4" x'] }),
      code: 'bad-request',
    },
    'comma in from': {
      body: () => ({ publicKey: ed.publicLine, from: ['1.2.3.4,*'] }),
      code: 'bad-request',
    },
    'expiry in the past': {
      body: () => ({ publicKey: ed.publicLine, expiresAt: '2020-01-01T00:00:00Z' }),
      code: 'bad-request',
    },
    'expiry not a date': {
      body: () => ({ publicKey: ed.publicLine, expiresAt: 'tomorrow' }),
      code: 'bad-request',
    },
    'unknown access': {
      body: () => ({ publicKey: ed.publicLine, access: 'root' }),
      code: 'bad-request',
    },
    'unknown field': {
      body: () => ({ publicKey: ed.publicLine, options: 'command="x"' }),
      code: 'bad-request',
    },
    'not an object': { body: () => [ed.publicLine], code: 'bad-request' },
    'missing publicKey': { body: () => ({ name: 'x' }), code: 'bad-request' },
    'not JSON': { body: () => '{"publicKey": ', code: 'bad-request' },
    'garbage key': { body: () => ({ publicKey: 'ssh-ed25519 AAAA' }), code: 'invalid-key' },
  };
  for (const [label, { body, code }] of Object.entries(injections)) {
    it(`refuses ${label} with 400 ${code}, the file byte-identical`, async () => {
      const original = `# keep me\r\n\r\nfrom="1.2.3.4" ${rsa.publicLine}`;
      const { app, store } = setup(original);
      const response = await app.request(apiPaths.sshKeys, post(body()));
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe(code);
      expect(error.message.length).toBeGreaterThan(10);
      expect(store.text()).toBe(original);
      expectSecurityHeaders(response);
    });
  }

  it('answers 415 without a JSON content type', async () => {
    const { app, store } = setup();
    for (const type of [
      undefined,
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
    ]) {
      const response = await app.request(apiPaths.sshKeys, {
        method: 'POST',
        headers: type === undefined ? {} : { 'Content-Type': type },
        body: JSON.stringify({ publicKey: ed.publicLine }),
      });
      expect(response.status, String(type)).toBe(415);
      expect((await errorOf(response)).code).toBe('unsupported-media-type');
    }
    expect(store.text()).toBe('');
  });

  it('accepts application/json with a charset', async () => {
    const { app } = setup();
    const response = await app.request(
      apiPaths.sshKeys,
      post({ publicKey: ed.publicLine }, { 'Content-Type': 'application/json; charset=utf-8' }),
    );
    expect(response.status).toBe(201);
  });

  it('answers 413 for a body over 64 KiB, file unchanged', async () => {
    const { app, store } = setup();
    const response = await app.request(
      apiPaths.sshKeys,
      post({ publicKey: ed.publicLine, name: 'x'.repeat(70_000) }),
    );
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('too-large');
    expect(store.text()).toBe('');
  });
});

describe('DELETE /api/ssh-keys/{fingerprint}', () => {
  it('removes the key and its metadata line only: 204, then 404', async () => {
    const original = `# a\r\n${rsa.publicLine}\r\n# b`;
    const { app, store } = setup(original);
    expect(
      (await app.request(apiPaths.sshKeys, post({ publicKey: ed.publicLine, name: 'n' }))).status,
    ).toBe(201);
    const response = await app.request(apiPaths.sshKey(ed.fingerprint), { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(store.text()).toBe(`${original}\n`);
    const again = await app.request(apiPaths.sshKey(ed.fingerprint), { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect((await errorOf(again)).code).toBe('not-found');
  });

  it('finds a fingerprint with "/" and "+" in it', async () => {
    const { app, store } = setup(`${awkward.publicLine}\n# kept\n`);
    const response = await app.request(apiPaths.sshKey(awkward.fingerprint), { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(store.text()).toBe('# kept\n');
  });

  it('removes a foreign key', async () => {
    const { app, store } = setup(`# a\n${rsa.publicLine}\n# b\n`);
    const response = await app.request(apiPaths.sshKey(rsa.fingerprint), { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(store.text()).toBe('# a\n# b\n');
  });

  it('answers 400 for something that is not a fingerprint', async () => {
    const { app } = setup(`${rsa.publicLine}\n`);
    for (const bad of ['abc', 'SHA256:short', 'MD5:00:11', `${ed.fingerprint}x`]) {
      const response = await app.request(apiPaths.sshKey(bad), { method: 'DELETE' });
      expect(response.status, bad).toBe(400);
      expect((await errorOf(response)).code).toBe('bad-request');
    }
  });
});

describe('routing, authentication and errors', () => {
  it('answers 404 JSON for unknown API paths and 405 for wrong methods', async () => {
    const { app } = setup();
    const unknown = await app.request('/api/nothing');
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe('not-found');
    const wrong = await app.request(apiPaths.sshKeys, { method: 'PUT' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('Allow')).toBe('GET, POST');
    expectSecurityHeaders(wrong);
  });

  it('refuses what authenticate refuses, with its status and message, before reading the body', async () => {
    let seen = 0;
    const { app, store } = setup('', () => {
      seen += 1;
      return Promise.resolve({
        status: 401,
        code: 'unauthorized',
        message: 'Sign in first, please.',
      });
    });
    for (const [url, init] of [
      [apiPaths.me, {}],
      [apiPaths.sshKeys, {}],
      [apiPaths.sshKeys, post({ publicKey: ed.publicLine })],
      [apiPaths.sshKey(ed.fingerprint), { method: 'DELETE' }],
      ['/api/nothing', {}],
    ] as const) {
      const response = await app.request(url, init);
      expect(response.status).toBe(401);
      expect(await errorOf(response)).toEqual({
        code: 'unauthorized',
        message: 'Sign in first, please.',
      });
      expectSecurityHeaders(response);
    }
    expect(seen).toBe(5);
    expect(store.text()).toBe('');
  });

  it('serves each user their own store', async () => {
    const { app } = setup('', (request) =>
      Promise.resolve({ user: request.headers.get('x-user') ?? 'ada', mode: 'mock' }),
    );
    await app.request(apiPaths.sshKeys, post({ publicKey: ed.publicLine }, { 'x-user': 'bob' }));
    const ada = listKeysResponseSchema.parse(await (await app.request(apiPaths.sshKeys)).json());
    const bob = listKeysResponseSchema.parse(
      await (await app.request(apiPaths.sshKeys, { headers: { 'x-user': 'bob' } })).json(),
    );
    expect(ada.keys).toEqual([]);
    expect(bob.keys.map((key) => key.fingerprint)).toEqual([ed.fingerprint]);
  });

  it('serves static pages with the security headers but without no-store', async () => {
    const { app } = setup();
    const page = await app.request('/ssh-keys');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>app</title>');
    expectSecurityHeaders(page);
    expect(page.headers.get('Cache-Control')).toBeNull();
    const missing = await app.request('/missing.js');
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing);
  });

  it('maps an unexpected store failure to 500 internal without leaking details', async () => {
    const app = createApp({
      authenticate: () => Promise.resolve({ user: 'ada', mode: 'mock' }),
      storeFor: () => ({
        list: () => Promise.reject(new Error('secret detail /etc/shadow')),
        add: () => Promise.reject(new Error('x')),
        remove: () => Promise.reject(new Error('x')),
      }),
      now: () => now,
    });
    const original = console.error;
    console.error = () => undefined;
    try {
      const response = await app.request(apiPaths.sshKeys);
      expect(response.status).toBe(500);
      const error = await errorOf(response);
      expect(error.code).toBe('internal');
      expect(error.message).not.toContain('shadow');
    } finally {
      console.error = original;
    }
  });
});
