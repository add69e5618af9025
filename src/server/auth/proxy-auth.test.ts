/**
 * Proxy-mode authentication on its own, without a server: the node server's page gate refuses
 * untrusted peers too, so these checks are the only ones that show each rule holds by itself.
 */
import { describe, expect, it } from 'vitest';
import type { AuthFailure } from '../http/app.ts';
import { createProxyAuth, normalizeAddress } from './proxy-auth.ts';

const PUBLIC_URL = 'https://keys.example.org';

function proxyAuth(
  overrides: {
    peer?: string | undefined;
    trustedProxies?: string[];
    publicOrigin?: string;
    refusal?: AuthFailure | null;
  } = {},
) {
  const asked: string[] = [];
  const authenticate = createProxyAuth({
    userHeader: 'X-Forwarded-User',
    trustedProxies: overrides.trustedProxies ?? ['10.0.0.1'],
    publicOrigin: overrides.publicOrigin ?? PUBLIC_URL,
    remoteAddress: () => ('peer' in overrides ? overrides.peer : '10.0.0.1'),
    checkUser: (user) => {
      asked.push(user);
      return Promise.resolve(overrides.refusal ?? null);
    },
  });
  return { authenticate, asked };
}

function request(method: string, headers: Record<string, string>): Request {
  return new Request('http://keys/api/ssh-keys', { method, headers });
}

describe('normalizeAddress', () => {
  it('unwraps a whole IPv4-mapped IPv6 address and lower-cases the rest', () => {
    expect(normalizeAddress('::FFFF:10.200.30.255')).toBe('10.200.30.255');
    expect(normalizeAddress('::ffff:192.168.100.1')).toBe('192.168.100.1');
    expect(normalizeAddress('FE80::1')).toBe('fe80::1');
    expect(normalizeAddress('10.0.0.1')).toBe('10.0.0.1');
  });

  it('leaves an address that only contains a mapped one as it is', () => {
    expect(normalizeAddress('1::ffff:10.0.0.1')).toBe('1::ffff:10.0.0.1');
    expect(normalizeAddress('::ffff:10.0.0.1.2')).toBe('::ffff:10.0.0.1.2');
    expect(normalizeAddress('::ffff:a.0.0.1')).toBe('::ffff:a.0.0.1');
  });
});

describe('createProxyAuth options', () => {
  it('refuses a public URL that is not an origin, naming it', () => {
    for (const publicOrigin of [
      'keys.example.org',
      'https://keys.example.org/',
      'https://keys.example.org/keys',
      'HTTPS://keys.example.org',
    ]) {
      expect(() => proxyAuth({ publicOrigin }), publicOrigin).toThrow(
        new TypeError(
          `The public URL "${publicOrigin}" is not an origin such as https://keys.example.org.`,
        ),
      );
    }
    expect(() => proxyAuth({ publicOrigin: 'http://127.0.0.1:8080' })).not.toThrow();
  });

  it('refuses a trusted proxy that is not an IP address, naming it', () => {
    expect(() => proxyAuth({ trustedProxies: ['10.0.0.1', 'proxy.example.org'] })).toThrow(
      new TypeError('--trusted-proxy "proxy.example.org" is not an IP address.'),
    );
    expect(() => proxyAuth({ trustedProxies: ['10.0.0.1', '::1'] })).not.toThrow();
  });
});

describe('createProxyAuth requests', () => {
  const refusedPeer = {
    status: 403,
    code: 'forbidden',
    message:
      'This Keysmith is served through a sign-in proxy; open it through the proxy address, not directly.',
  };

  it('refuses a peer that is not a trusted proxy, or an unknown peer, before reading the header', async () => {
    for (const peer of ['10.0.0.2', '127.0.0.1', undefined]) {
      const { authenticate, asked } = proxyAuth({ peer });
      expect(await authenticate(request('GET', { 'X-Forwarded-User': 'alice' })), peer).toEqual(
        refusedPeer,
      );
      expect(asked).toEqual([]);
    }
  });

  it('believes a trusted proxy whether it connects over IPv4 or IPv4-mapped IPv6', async () => {
    const { authenticate } = proxyAuth({ peer: '::ffff:10.0.0.1' });
    expect(await authenticate(request('GET', { 'X-Forwarded-User': 'alice' }))).toEqual({
      user: 'alice',
      mode: 'proxy',
    });
  });

  it('answers 401 naming the header when the proxy sends no user or an empty one', async () => {
    const { authenticate, asked } = proxyAuth();
    const noUser = {
      status: 401,
      code: 'unauthorized',
      message:
        'The sign-in proxy did not name a user (header X-Forwarded-User). Sign in again through the proxy.',
    };
    expect(await authenticate(request('GET', {}))).toEqual(noUser);
    expect(await authenticate(request('GET', { 'X-Forwarded-User': ' \t ' }))).toEqual(noUser);
    expect(asked).toEqual([]);
  });

  it('takes the user name without the spaces and tabs around it', async () => {
    const { authenticate } = proxyAuth();
    expect(await authenticate(request('GET', { 'X-Forwarded-User': ' \t alice \t ' }))).toEqual({
      user: 'alice',
      mode: 'proxy',
    });
  });

  it('lets GET, HEAD and OPTIONS through whatever their Origin, since they change nothing', async () => {
    const { authenticate } = proxyAuth();
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      const result = await authenticate(
        request(method, { 'X-Forwarded-User': 'alice', Origin: 'https://evil.example' }),
      );
      expect(result, method).toEqual({ user: 'alice', mode: 'proxy' });
    }
  });

  it('refuses a change from another origin and accepts one from the page or without Origin', async () => {
    const { authenticate } = proxyAuth();
    for (const method of ['POST', 'DELETE', 'PUT', 'PATCH']) {
      const crossSite = await authenticate(
        request(method, { 'X-Forwarded-User': 'alice', Origin: 'https://evil.example' }),
      );
      expect(crossSite, method).toMatchObject({ status: 403, code: 'forbidden' });
      const samePage = await authenticate(
        request(method, { 'X-Forwarded-User': 'alice', Origin: PUBLIC_URL }),
      );
      expect(samePage, method).toEqual({ user: 'alice', mode: 'proxy' });
      const noOrigin = await authenticate(request(method, { 'X-Forwarded-User': 'alice' }));
      expect(noOrigin, method).toEqual({ user: 'alice', mode: 'proxy' });
    }
  });

  it('returns the refusal of checkUser as it is', async () => {
    const refusal: AuthFailure = {
      status: 403,
      code: 'forbidden',
      message: 'root may not be served',
    };
    const { authenticate, asked } = proxyAuth({ refusal });
    expect(await authenticate(request('GET', { 'X-Forwarded-User': 'root' }))).toBe(refusal);
    expect(asked).toEqual(['root']);
  });
});
