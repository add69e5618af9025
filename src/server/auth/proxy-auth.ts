/**
 * Proxy mode: a single-sign-on proxy (oauth2-proxy, Apache or nginx with OIDC) in front of
 * Keysmith names the user in a header. That header is believed only on connections from the
 * configured proxy addresses; any other client is refused outright, since it could send the
 * header itself.
 */
import { isIP } from 'node:net';
import type { AuthFailure, Identity } from '../http/app.ts';
import { USER_NAME_PATTERN, USER_NAME_RULE } from './user-name.ts';

export interface ProxyAuthOptions {
  /** Header carrying the user name, e.g. `X-Forwarded-User`. */
  userHeader: string;
  /** Addresses of the proxy (exact IP addresses). */
  trustedProxies: readonly string[];
  /** The peer address of the TCP connection the request came on. */
  remoteAddress(request: Request): string | undefined;
  /** Refuses users who may not be served (unknown, root, system accounts); null when fine. */
  checkUser(user: string): Promise<AuthFailure | null>;
  /** The origin people open Keysmith at (`--public-url`), e.g. `https://keys.example.org`. */
  publicOrigin: string;
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are the same IPv4 peer. */
export function normalizeAddress(address: string): string {
  const lower = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped?.[1] ?? lower;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Builds proxy-mode authentication. */
export function createProxyAuth(
  options: ProxyAuthOptions,
): (request: Request) => Promise<Identity | AuthFailure> {
  const trusted = new Set(options.trustedProxies.map(normalizeAddress));
  if (
    !URL.canParse(options.publicOrigin) ||
    new URL(options.publicOrigin).origin !== options.publicOrigin
  ) {
    throw new TypeError(
      `The public URL "${options.publicOrigin}" is not an origin such as https://keys.example.org.`,
    );
  }
  for (const address of trusted) {
    if (isIP(address) === 0)
      throw new TypeError(`--trusted-proxy "${address}" is not an IP address.`);
  }
  return async (request) => {
    const peer = options.remoteAddress(request);
    if (peer === undefined || !trusted.has(normalizeAddress(peer))) {
      return {
        status: 403,
        code: 'forbidden',
        message:
          'This Keysmith is served through a sign-in proxy; open it through the proxy address, not directly.',
      };
    }
    // Headers already drop the SP and HTAB around a value (RFC 9110 §5.6.3); U+00A0 stays and fails the pattern.
    const user = request.headers.get(options.userHeader) ?? '';
    if (user === '') {
      return {
        status: 401,
        code: 'unauthorized',
        message: `The sign-in proxy did not name a user (header ${options.userHeader}). Sign in again through the proxy.`,
      };
    }
    if (!USER_NAME_PATTERN.test(user)) {
      return {
        status: 403,
        code: 'forbidden',
        message: `The user name from the sign-in proxy is not a valid local user name (${USER_NAME_RULE}). Ask your administrator to map your sign-in to your local account name.`,
      };
    }
    if (!SAFE_METHODS.has(request.method)) {
      // CSRF: browsers send Origin with every POST and DELETE; Host and X-Forwarded-Host are the client's to set.
      const origin = request.headers.get('origin');
      if (origin !== null && origin !== options.publicOrigin) {
        return {
          status: 403,
          code: 'forbidden',
          message: `Refused a change that did not come from the Keysmith page at ${options.publicOrigin} (cross-site request). Open Keysmith at that address and try again.`,
        };
      }
    }
    const refusal = await options.checkUser(user);
    if (refusal !== null) return refusal;
    return { user, mode: 'proxy' };
  };
}
