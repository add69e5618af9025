/**
 * Local mode: one user, one random token, loopback only.
 *
 * - The printed URL carries `?token=…`; the page gate turns it into an HttpOnly, SameSite=Strict
 *   cookie and redirects (303) to the clean URL, so the token leaves the address bar and history.
 * - Scripts send `Authorization: Bearer <token>`.
 * - The Host header must be a loopback name with our port: a DNS-rebinding page (evil.example
 *   resolving to 127.0.0.1) sends its own host name and is refused.
 * - A state-changing request with the cookie also needs a same-origin `Origin` (CSRF); a bearer
 *   header cannot be sent cross-origin without a CORS preflight, which this server never grants.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuthFailure, Identity } from './app.ts';

export interface LocalAuthOptions {
  token: string;
  user: string;
  /** The port actually listened on (known only after listen when started with port 0). */
  port: () => number;
}

export interface LocalAuth {
  authenticate(request: Request): Promise<Identity | AuthFailure>;
  pageGate(request: Request): Response | null;
  /** The cookie's name: one per port, so two servers on one machine do not sign each other out. */
  cookieName(): string;
}

/** A fresh random token: 32 bytes, base64url. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function readCookie(header: string | null, name: string): string | null {
  if (header === null) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function hostOf(request: Request): string {
  return (request.headers.get('host') ?? new URL(request.url).host).toLowerCase();
}

/** Builds local-mode authentication for one user and token. */
export function createLocalAuth(options: LocalAuthOptions): LocalAuth {
  const expected = digest(options.token);
  const matches = (candidate: string | null): boolean =>
    candidate !== null && candidate !== '' && timingSafeEqual(digest(candidate), expected);
  const cookieName = () => `keysmith-${options.port()}`;

  function hostAllowed(request: Request): boolean {
    const host = hostOf(request);
    const port = options.port();
    const colon = host.lastIndexOf(':');
    const hasPort = colon !== -1 && !host.endsWith(']');
    const name = hasPort ? host.slice(0, colon) : host;
    const hostPort = hasPort ? host.slice(colon + 1) : '80';
    return LOOPBACK_NAMES.has(name) && hostPort === String(port);
  }

  const badHost: AuthFailure = {
    status: 403,
    code: 'forbidden',
    message:
      'Keysmith answers only to 127.0.0.1 or localhost with its own port (a guard against DNS rebinding). Open the URL printed by "keysmith serve".',
  };

  return {
    cookieName,

    authenticate(request) {
      if (!hostAllowed(request)) return Promise.resolve(badHost);
      const authorization = request.headers.get('authorization');
      if (authorization !== null) {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
        if (match === null || !matches(match[1] ?? null)) {
          return Promise.resolve({
            status: 401,
            code: 'unauthorized',
            message:
              'The bearer token is wrong. Use the token from the URL printed by "keysmith serve" (or KEYSMITH_TOKEN).',
          });
        }
        return Promise.resolve({ user: options.user, mode: 'local' });
      }
      if (!matches(readCookie(request.headers.get('cookie'), cookieName()))) {
        return Promise.resolve({
          status: 401,
          code: 'unauthorized',
          message:
            'Not signed in. Open the URL printed by "keysmith serve" (it carries the token), or send Authorization: Bearer <token>.',
        });
      }
      if (!SAFE_METHODS.has(request.method)) {
        const origin = request.headers.get('origin');
        if (origin !== `http://${hostOf(request)}`) {
          return Promise.resolve({
            status: 403,
            code: 'forbidden',
            message:
              'Refused a change that did not come from the Keysmith page itself (cross-site request). Use the Keysmith page, or send Authorization: Bearer <token>.',
          });
        }
      }
      return Promise.resolve({ user: options.user, mode: 'local' });
    },

    pageGate(request) {
      if (!hostAllowed(request)) {
        return new Response(`${badHost.message}\n`, {
          status: 403,
          headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        });
      }
      const url = new URL(request.url);
      const token = url.searchParams.get('token');
      if (token === null) return null;
      if (!matches(token)) {
        return new Response(
          'This sign-in link is not valid (the server was restarted with a new token?). Open the URL that "keysmith serve" printed last.\n',
          { status: 401, headers: { 'Content-Type': 'text/plain; charset=utf-8' } },
        );
      }
      url.searchParams.delete('token');
      const clean = `${url.pathname}${url.search}`;
      return new Response(null, {
        status: 303,
        headers: {
          Location: clean,
          'Set-Cookie': `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        },
      });
    },
  };
}
