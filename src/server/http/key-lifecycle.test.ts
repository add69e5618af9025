/**
 * The app's site policy (GET /api/policy, every add checked before the store) and last use from
 * sshd's log merged into GET /api/ssh-keys, cached list bodies included.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_POLICY, policySchema, toPolicy, type Policy } from '../../api/policy.ts';
import { apiPaths, errorResponseSchema, listKeysResponseSchema } from '../../api/ssh-keys.ts';
import type { AuditEvent } from './audit-event.ts';
import { createApp } from './app.ts';
import type { LastUse } from '../last-use/last-use-index.ts';
import { createMemoryKeyStore } from '../store/memory-key-store.ts';
import type { KeyStore } from '../store/key-store.ts';
import { makeTestKey, type TestKey } from '../../testing/ssh-keygen.ts';

let dir: string;
let ed: TestKey;
let rsa: TestKey;
const now = new Date('2026-03-04T05:06:07Z');
const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-lifecycle-'));
  ed = makeTestKey(dir, 'ed');
  rsa = makeTestKey(dir, 'rsa', { type: 'rsa', rsaBits: 2048 });
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const EXISTING =
  '# a comment the file keeps\r\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl old\n';

function setup(options: { policy?: Policy; lastUse?: Map<string, LastUse>; store?: KeyStore }) {
  const store = createMemoryKeyStore(EXISTING, { now: () => now });
  const events: AuditEvent[] = [];
  const app = createApp({
    authenticate: () => Promise.resolve({ user: 'ada', mode: 'mock' }),
    storeFor: () => options.store ?? store,
    now: () => now,
    audit: (event) => events.push(event),
    ...(options.policy === undefined ? {} : { policy: options.policy }),
    ...(options.lastUse === undefined
      ? {}
      : {
          lastUse: (user: string) =>
            user === 'ada' ? (options.lastUse ?? new Map()) : new Map<string, LastUse>(),
        }),
  });
  return { app, store, events };
}

function add(body: Record<string, unknown>) {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
}

describe('GET /api/policy', () => {
  it('answers no limits without --policy', async () => {
    const { app } = setup({});
    const response = await app.request(apiPaths.policy);
    expect(response.status).toBe(200);
    expect(policySchema.parse(await response.json())).toEqual(NO_POLICY);
  });

  it("answers the site's policy with every field spelled out", async () => {
    const policy = toPolicy({ maxLifetimeDays: 90, requireFrom: true });
    const { app } = setup({ policy });
    expect(await (await app.request(apiPaths.policy)).json()).toEqual({
      ...NO_POLICY,
      maxLifetimeDays: 90,
      requireFrom: true,
    });
    expect((await app.request(apiPaths.policy, { method: 'POST' })).status).toBe(405);
  });

  it('is refused without sign-in like every /api route', async () => {
    const app = createApp({
      authenticate: () =>
        Promise.resolve({ status: 401, code: 'unauthorized', message: 'Sign in.' }),
      storeFor: () => createMemoryKeyStore(''),
      now: () => now,
      policy: toPolicy({ maxLifetimeDays: 90 }),
    });
    expect((await app.request(apiPaths.policy)).status).toBe(401);
  });
});

describe('POST /api/ssh-keys under a policy', () => {
  const cases: [string, Policy, () => Record<string, unknown>, RegExp][] = [
    [
      'no expiry under a maximum lifetime',
      toPolicy({ maxLifetimeDays: 90 }),
      () => ({ publicKey: ed.publicLine }),
      /at most 90 days.*choose an expiry date/,
    ],
    [
      'an expiry beyond the maximum lifetime',
      toPolicy({ maxLifetimeDays: 90 }),
      () => ({ publicKey: ed.publicLine, expiresAt: inDays(91) }),
      /at most 90 days here: choose an expiry date within 90 days/,
    ],
    [
      'a key type not allowed',
      toPolicy({ allowedKeyTypes: ['ssh-ed25519'] }),
      () => ({ publicKey: rsa.publicLine }),
      /ssh-rsa keys are not allowed here: use ssh-ed25519/,
    ],
    [
      'an RSA key under the minimum size',
      toPolicy({ minRsaBits: 3072 }),
      () => ({ publicKey: rsa.publicLine }),
      /at least 3072 bits here \(this one has 2048\)/,
    ],
    [
      'an access level not allowed (the default, restricted, counts)',
      toPolicy({ allowedAccess: ['interactive'] }),
      () => ({ publicKey: ed.publicLine }),
      /Access "restricted" is not allowed here: choose interactive/,
    ],
    [
      'no source addresses when required',
      toPolicy({ requireFrom: true }),
      () => ({ publicKey: ed.publicLine, access: 'full' }),
      /source addresses/,
    ],
  ];

  it.each(cases)(
    'refuses %s with 400 policy, the file untouched',
    async (_, policy, body, message) => {
      const { app, store, events } = setup({ policy });
      const response = await app.request(apiPaths.sshKeys, add(body()));
      expect(response.status).toBe(400);
      const { error } = errorResponseSchema.parse(await response.json());
      expect(error.code).toBe('policy');
      expect(error.message).toMatch(message);
      expect(store.text()).toBe(EXISTING);
      expect(events).toEqual([
        expect.objectContaining({ action: 'add', result: 'refused', status: 400, error: 'policy' }),
      ]);
      expect(events[0]?.fingerprint).toMatch(/^SHA256:/);
    },
  );

  it('names every rule broken, and adds a key that keeps them all', async () => {
    const policy = toPolicy({
      maxLifetimeDays: 90,
      allowedKeyTypes: ['ssh-ed25519'],
      allowedAccess: ['restricted'],
      requireFrom: true,
    });
    const { app, store } = setup({ policy });
    const refused = await app.request(
      apiPaths.sshKeys,
      add({ publicKey: rsa.publicLine, access: 'full' }),
    );
    const { error } = errorResponseSchema.parse(await refused.json());
    expect(error.message.match(/here/g)).toHaveLength(4);

    const added = await app.request(
      apiPaths.sshKeys,
      add({ publicKey: ed.publicLine, expiresAt: inDays(90), from: ['10.0.0.0/8'] }),
    );
    expect(added.status).toBe(201);
    expect(store.text()).toContain(ed.publicLine.split(' ')[1]);
  });

  it("leaves a key the parser refuses to the store's own message", async () => {
    const { app } = setup({ policy: toPolicy({ maxLifetimeDays: 90 }) });
    const response = await app.request(apiPaths.sshKeys, add({ publicKey: 'ssh-ed25519 AAAA' }));
    expect(errorResponseSchema.parse(await response.json()).error.code).toBe('invalid-key');
  });
});

describe('GET /api/ssh-keys with last use from sshd', () => {
  const oldFingerprint = 'SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU';

  it('shows a key’s last login and says use is tracked', async () => {
    const { app } = setup({
      lastUse: new Map([
        [oldFingerprint, { at: new Date('2026-03-01T10:00:00Z'), from: '192.0.2.7' }],
      ]),
    });
    const body = listKeysResponseSchema.parse(await (await app.request(apiPaths.sshKeys)).json());
    expect(body.lastUseTracked).toBe(true);
    expect(body.keys[0]?.fingerprint).toBe(oldFingerprint);
    expect(body.keys[0]).toMatchObject({
      lastUsedAt: '2026-03-01T10:00:00.000Z',
      lastUsedFrom: '192.0.2.7',
    });
  });

  it('says use is not tracked without --sshd-log', async () => {
    const { app } = setup({});
    const body: unknown = await (await app.request(apiPaths.sshKeys)).json();
    expect(body).not.toHaveProperty('lastUseTracked');
  });

  it("marks a store's cached body as tracked when the user has no logins, and lists them when they do", async () => {
    const memory = createMemoryKeyStore(EXISTING, { now: () => now });
    let listed = 0;
    const cached: KeyStore = {
      ...memory,
      list: () => {
        listed += 1;
        return memory.list();
      },
      listBody: () =>
        Promise.resolve(
          new TextEncoder().encode(JSON.stringify({ keys: [], warnings: [], path: '/cached' })),
        ),
    };
    const uses = new Map<string, LastUse>();
    const { app } = setup({ store: cached, lastUse: uses });
    const first = await app.request(apiPaths.sshKeys);
    expect(await first.json()).toEqual({
      keys: [],
      warnings: [],
      path: '/cached',
      lastUseTracked: true,
    });
    expect(listed).toBe(0);

    uses.set(oldFingerprint, { at: now, from: '::1' });
    const second = listKeysResponseSchema.parse(await (await app.request(apiPaths.sshKeys)).json());
    expect(listed).toBe(1);
    expect(second.keys[0]?.lastUsedFrom).toBe('::1');
  });
});
