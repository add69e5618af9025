/**
 * Local-mode authentication on its own, without a server: the Host guard, the bearer token
 * grammar and the Origin check, each with the exact answer the page shows.
 */
import { describe, expect, it } from 'vitest';
import { createLocalAuth, generateToken, signInUrl } from './local-auth.ts';

const TOKEN = 'k3y-5m1th_T0ken';

const BAD_HOST = {
  status: 403,
  code: 'forbidden',
  message:
    'Keysmith answers only to 127.0.0.1 or localhost with its own port (a guard against DNS rebinding). Open the URL printed by "keysmith serve".',
};
const WRONG_TOKEN = {
  status: 401,
  code: 'unauthorized',
  message:
    'The sign-in token is wrong (was the server restarted with a new one?). Open the URL that "keysmith serve" printed last, or use its token (or KEYSMITH_TOKEN) as the bearer token.',
};
const SIGNED_IN = { user: 'alice', mode: 'local' };

function localAuth(port = 8080) {
  return createLocalAuth({ token: TOKEN, user: 'alice', port: () => port });
}

function request(
  headers: Record<string, string>,
  { method = 'GET', url = 'http://127.0.0.1:8080/api/ssh-keys' } = {},
): Request {
  return new Request(url, { method, headers });
}

describe('generateToken and signInUrl', () => {
  it('makes a new 32-byte base64url token each time', () => {
    const first = generateToken();
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(first);
  });

  it('puts the token in the fragment', () => {
    expect(signInUrl('http://127.0.0.1:8080', 'abc')).toBe('http://127.0.0.1:8080/#token=abc');
  });
});

describe('the Host guard', () => {
  it('accepts each loopback name with our port, in any case', async () => {
    for (const host of ['127.0.0.1:8080', 'localhost:8080', 'LocalHost:8080', '[::1]:8080']) {
      const result = await localAuth().authenticate(
        request({ Host: host, Authorization: `Bearer ${TOKEN}` }),
      );
      expect(result, host).toEqual(SIGNED_IN);
    }
  });

  it('reads a Host without a port, IPv6 brackets included, as port 80', async () => {
    for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
      const onPort80 = await localAuth(80).authenticate(
        request({ Host: host, Authorization: `Bearer ${TOKEN}` }),
      );
      expect(onPort80, host).toEqual(SIGNED_IN);
      const onPort8080 = await localAuth(8080).authenticate(
        request({ Host: host, Authorization: `Bearer ${TOKEN}` }),
      );
      expect(onPort8080, host).toEqual(BAD_HOST);
    }
  });

  it('refuses another name or another port, even with the token', async () => {
    for (const host of [
      'evil.example:8080',
      '127.0.0.2:8080',
      '127.0.0.1:8081',
      'localhost:80',
      '[::1]:8081',
      '::1:8080',
      'localhost.:8080',
    ]) {
      const result = await localAuth().authenticate(
        request({ Host: host, Authorization: `Bearer ${TOKEN}` }),
      );
      expect(result, host).toEqual(BAD_HOST);
    }
  });

  it('goes by the Host header rather than the URL, and by the URL when there is none', async () => {
    const foreignHost = await localAuth().authenticate(
      request({ Host: 'evil.example:8080', Authorization: `Bearer ${TOKEN}` }),
    );
    expect(foreignHost).toEqual(BAD_HOST);
    const noHost = await localAuth().authenticate(request({ Authorization: `Bearer ${TOKEN}` }));
    expect(noHost).toEqual(SIGNED_IN);
    const foreignUrl = await localAuth().authenticate(
      request({ Authorization: `Bearer ${TOKEN}` }, { url: 'http://evil.example:8080/api/me' }),
    );
    expect(foreignUrl).toEqual(BAD_HOST);
  });

  it('lets pages through on our Host and answers others with the message as plain text', async () => {
    expect(localAuth().pageGate(request({ Host: 'localhost:8080' }))).toBeNull();
    const refused = localAuth().pageGate(request({ Host: 'evil.example:8080' }));
    expect(refused?.status).toBe(403);
    expect(refused?.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await refused?.text()).toBe(
      `${BAD_HOST.message}\nThrough an SSH tunnel? Forward the same port number: ssh -L 8080:127.0.0.1:8080 HOST, then open the printed link.\n`,
    );
  });

  it('answers a browser with a styled page that says the same', async () => {
    const refused = localAuth().pageGate(
      request({ Host: '127.0.0.1:9000', Accept: 'text/html,application/xhtml+xml' }),
    );
    expect(refused?.status).toBe(403);
    expect(refused?.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = (await refused?.text()) ?? '';
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<style>');
    expect(html).toContain('<h1>Open the link Keysmith printed</h1>');
    expect(html).toContain(BAD_HOST.message.replaceAll('"', '&quot;'));
    expect(html).toContain('ssh -L 8080:127.0.0.1:8080 HOST');
  });
});

describe('the bearer token', () => {
  it('answers 401 asking to open the printed URL when there is no Authorization', async () => {
    expect(await localAuth().authenticate(request({}))).toEqual({
      status: 401,
      code: 'unauthorized',
      message:
        'Not signed in in this tab. Open the URL that "keysmith serve" printed (each tab signs in from it), or send Authorization: Bearer <token>.',
    });
  });

  it('accepts "Bearer", in any case, then blanks, then exactly the token', async () => {
    for (const authorization of [
      `Bearer ${TOKEN}`,
      `bearer ${TOKEN}`,
      `BEARER \t ${TOKEN}`,
      `Bearer  ${TOKEN}  `,
    ]) {
      const result = await localAuth().authenticate(request({ Authorization: authorization }));
      expect(result, authorization).toEqual(SIGNED_IN);
    }
  });

  it('refuses a wrong token, another scheme, or anything before or after the token', async () => {
    for (const authorization of [
      'Bearer wrong',
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(1)}`,
      `Basic ${TOKEN}`,
      `Basic Bearer ${TOKEN}`,
      `XBearer ${TOKEN}`,
      `Bearer ${TOKEN} extra`,
      `Bearer ${TOKEN} ${TOKEN}`,
      `Bearer${TOKEN}`,
      'Bearer',
      TOKEN,
    ]) {
      const result = await localAuth().authenticate(request({ Authorization: authorization }));
      expect(result, authorization).toEqual(WRONG_TOKEN);
    }
  });
});

describe('the Origin check', () => {
  const refusedChange = {
    status: 403,
    code: 'forbidden',
    message:
      'Refused a change sent from another web page (its Origin is not this server). Use the Keysmith page, or send the request without an Origin header from a script.',
  };

  it('lets GET, HEAD and OPTIONS through whatever their Origin, since they change nothing', async () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      const result = await localAuth().authenticate(
        request({ Authorization: `Bearer ${TOKEN}`, Origin: 'https://evil.example' }, { method }),
      );
      expect(result, method).toEqual(SIGNED_IN);
    }
  });

  it('refuses a change from another origin, accepts one from this origin or without Origin', async () => {
    for (const method of ['POST', 'DELETE', 'PUT']) {
      const bearer = `Bearer ${TOKEN}`;
      for (const origin of ['https://evil.example', 'http://localhost:8080', 'null']) {
        const result = await localAuth().authenticate(
          request({ Authorization: bearer, Origin: origin }, { method }),
        );
        expect(result, `${method} ${origin}`).toEqual(refusedChange);
      }
      const samePage = await localAuth().authenticate(
        request({ Authorization: bearer, Origin: 'http://127.0.0.1:8080' }, { method }),
      );
      expect(samePage, method).toEqual(SIGNED_IN);
      const script = await localAuth().authenticate(request({ Authorization: bearer }, { method }));
      expect(script, method).toEqual(SIGNED_IN);
    }
  });
});
