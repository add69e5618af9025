/** The mock's options: a site policy and last logins, answered by the server's own routes. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NO_POLICY, toPolicy } from '../api/policy.ts';
import { apiPaths, errorResponseSchema, listKeysResponseSchema } from '../api/ssh-keys.ts';
import { createMemoryKeyStore } from '../server/store/memory-key-store.ts';
import { createHandlers } from './handlers.ts';

const KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl laptop';
const FINGERPRINT = 'SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const url = (path: string) => new URL(path, window.location.origin);

describe('createHandlers', () => {
  it('answers no policy and untracked use by default', async () => {
    server.use(...createHandlers(createMemoryKeyStore(`${KEY}\n`)));
    expect(await (await fetch(url(apiPaths.policy))).json()).toEqual(NO_POLICY);
    const list = listKeysResponseSchema.parse(await (await fetch(url(apiPaths.sshKeys))).json());
    expect(list.lastUseTracked).toBeUndefined();
  });

  it('serves a policy and refuses an add against it, the file unchanged', async () => {
    const store = createMemoryKeyStore('');
    server.use(...createHandlers(store, { policy: toPolicy({ maxLifetimeDays: 30 }) }));
    expect(await (await fetch(url(apiPaths.policy))).json()).toMatchObject({
      maxLifetimeDays: 30,
    });
    const response = await fetch(url(apiPaths.sshKeys), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ publicKey: KEY }),
    });
    expect(response.status).toBe(400);
    expect(errorResponseSchema.parse(await response.json()).error.code).toBe('policy');
    expect(store.text()).toBe('');
  });

  it('lists last logins as tracked', async () => {
    const at = new Date('2026-12-01T10:00:00Z');
    server.use(
      ...createHandlers(createMemoryKeyStore(`${KEY}\n`), {
        lastUse: new Map([[FINGERPRINT, { at, from: '10.1.2.3' }]]),
      }),
    );
    const list = listKeysResponseSchema.parse(await (await fetch(url(apiPaths.sshKeys))).json());
    expect(list.lastUseTracked).toBe(true);
    expect(list.keys[0]).toMatchObject({ lastUsedAt: at.toISOString(), lastUsedFrom: '10.1.2.3' });
  });
});
