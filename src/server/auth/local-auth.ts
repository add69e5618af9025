/**
 * Local mode: one user, one random token, loopback only.
 *
 * - The only credential is `Authorization: Bearer <token>`. A cookie for 127.0.0.1 reaches
 *   every port of it (RFC 6265 §8.5), so any local user's server could read or plant one: the
 *   server sets no cookie and reads none.
 * - The printed URL carries the token in its fragment (`/#token=…`), which never reaches a
 *   server, a log or a Referer; the page keeps it in its own tab's sessionStorage and sends it
 *   as the bearer header.
 * - The Host header must be a loopback name with our port: a DNS-rebinding page (evil.example
 *   resolving to 127.0.0.1) sends its own host name and is refused.
 * - A cross-origin page cannot send the bearer header without a CORS preflight, which this
 *   server never grants; a change whose Origin names another origin is refused as well.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuthFailure, Identity } from '../http/app.ts';
import { noticeResponse } from '../http/notice-page.ts';

export interface LocalAuthOptions {
  token: string;
  user: string;
  /** The port actually listened on (known only after listen when started with port 0). */
  port: () => number;
}

export interface LocalAuth {
  authenticate(request: Request): Promise<Identity | AuthFailure>;
  /** Refuses a page request with a foreign Host; null lets it through to the static files. */
  pageGate(request: Request): Response | null;
}

/** A fresh random token: 32 bytes, base64url. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The URL `keysmith serve` prints: the token in the fragment, which browsers never send. */
export function signInUrl(origin: string, token: string): string {
  return `${origin}/#token=${token}`;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function hostOf(request: Request): string {
  return (request.headers.get('host') ?? new URL(request.url).host).toLowerCase();
}

/** Builds local-mode authentication for one user and token. */
export function createLocalAuth(options: LocalAuthOptions): LocalAuth {
  const expected = digest(options.token);
  const matches = (candidate: string): boolean => timingSafeEqual(digest(candidate), expected);

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
    authenticate(request) {
      if (!hostAllowed(request)) return Promise.resolve(badHost);
      const authorization = request.headers.get('authorization');
      if (authorization === null) {
        return Promise.resolve({
          status: 401,
          code: 'unauthorized',
          message:
            'Not signed in in this tab. Open the URL that "keysmith serve" printed (each tab signs in from it), or send Authorization: Bearer <token>.',
        });
      }
      // Headers already drop the SP and HTAB after the token (RFC 9110 §5.6.3).
      const candidate = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
      if (candidate === undefined || !matches(candidate)) {
        return Promise.resolve({
          status: 401,
          code: 'unauthorized',
          message:
            'The sign-in token is wrong (was the server restarted with a new one?). Open the URL that "keysmith serve" printed last, or use its token (or KEYSMITH_TOKEN) as the bearer token.',
        });
      }
      if (!SAFE_METHODS.has(request.method)) {
        const origin = request.headers.get('origin');
        if (origin !== null && origin !== `http://${hostOf(request)}`) {
          return Promise.resolve({
            status: 403,
            code: 'forbidden',
            message:
              'Refused a change sent from another web page (its Origin is not this server). Use the Keysmith page, or send the request without an Origin header from a script.',
          });
        }
      }
      return Promise.resolve({ user: options.user, mode: 'local' });
    },

    pageGate(request) {
      if (hostAllowed(request)) return null;
      const port = options.port();
      return noticeResponse(request, 403, 'Open the link Keysmith printed', [
        badHost.message,
        `Through an SSH tunnel? Forward the same port number: ssh -L ${port}:127.0.0.1:${port} HOST, then open the printed link.`,
      ]);
    },
  };
}
