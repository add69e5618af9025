/**
 * GET /healthz for load balancers: 200 without sign-in, nothing about users, never cached; in
 * local mode still behind the Host check (loopback only), in proxy mode from any peer.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './node-server.ts';
import { httpRequest } from '../../testing/http.ts';
import { localModeConfig, proxyModeConfig } from '../../testing/server-config.ts';

let dir: string;
let local: RunningServer;
let proxy: RunningServer;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-healthz-'));
  local = await startServer(localModeConfig('healthz-token-0123456789abcdefXYZ', dir));
  proxy = await startServer(proxyModeConfig());
});

afterAll(async () => {
  await local.close();
  await proxy.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('GET /healthz', () => {
  it('answers 200 {"status":"ok"} in local mode without a token, not cached, naming no one', async () => {
    const response = await httpRequest({
      port: local.port,
      path: '/healthz',
      headers: { Host: `127.0.0.1:${local.port}` },
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(response.body).not.toContain('ada');
  });

  it('keeps the Host check in local mode (DNS rebinding)', async () => {
    const response = await httpRequest({
      port: local.port,
      path: '/healthz',
      headers: { Host: 'evil.example' },
    });
    expect(response.status).toBe(403);
  });

  it('answers in proxy mode from any peer, the proxy or a load balancer, with no user header', async () => {
    for (const localAddress of ['127.0.0.1', '127.0.0.2']) {
      const response = await httpRequest({ port: proxy.port, path: '/healthz', localAddress });
      expect(response.status, localAddress).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('is GET (and HEAD) only', async () => {
    const response = await httpRequest({
      port: proxy.port,
      method: 'POST',
      path: '/healthz',
      localAddress: '127.0.0.2',
    });
    expect(response.status).not.toBe(200);
  });
});
