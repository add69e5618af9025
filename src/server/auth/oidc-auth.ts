/**
 * OIDC mode: Keysmith itself signs people in at an OpenID Connect provider (authorization code
 * with PKCE S256, state and nonce; openid-client does the protocol and the ID token checks) and
 * keeps who signed in in a sealed, stateless session cookie (oidc-session.ts).
 *
 * Routes, all answered by the page gate: GET /auth/login, GET /auth/callback, POST /auth/logout,
 * GET /auth/signed-out. A page request without a session goes to /auth/login; an /api request
 * without one is a 401 that says to sign in again.
 */
import * as client from 'openid-client';
import * as z from 'zod/mini';
import type { AuthFailure, Identity } from '../http/app.ts';
import { userFromClaims, type ClaimMapping } from './oidc-claim.ts';
import { createSessionCodec } from './oidc-session.ts';
import {
  createCookieSealer,
  readCookie,
  serializeCookie,
  type SessionKey,
} from './session-cookie.ts';

export interface OidcAuthOptions extends ClaimMapping {
  /** `--oidc-issuer`: the provider's issuer identifier, discovery is at its .well-known. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** `--public-url`: the origin people open Keysmith at; the redirect URI is under it. */
  publicOrigin: string;
  sessionKey: SessionKey;
  /** `--session-hours`. */
  sessionHours: number;
  /** Refuses users who may not be served (unknown, root, system accounts); null when fine. */
  checkUser(user: string): Promise<AuthFailure | null>;
  now(): Date;
}

export interface OidcAuth {
  authenticate(request: Request): Promise<Identity | AuthFailure>;
  /** Answers /auth/* and sends a page request without a session to the sign-in. */
  pageGate(request: Request): Promise<Response | null>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
const LOGIN_SECONDS = 600;
const DEFAULT_RETURN = '/ssh-keys';

const loginSchema = z.strictObject({
  state: z.string(),
  nonce: z.string(),
  verifier: z.string(),
  returnTo: z.string(),
  expires: z.int(),
});
type LoginState = z.infer<typeof loginSchema>;

/** Only a path of this origin: `/x`, never `//host` or `/\host`, which browsers read as another host. */
function safeReturnPath(candidate: string | null): string {
  if (
    candidate === null ||
    !/^\/(?![/\\])[\x21-\x7e]*$/.test(candidate) ||
    candidate === '/auth' ||
    candidate.startsWith('/auth/')
  ) {
    return DEFAULT_RETURN;
  }
  return candidate;
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A small page for the sign-in's outcomes: what happened and what to do, with one link on. */
function page(
  status: number,
  title: string,
  message: string,
  link: { href: string; text: string },
): Response {
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} – Keysmith</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2328}a{color:#0969da}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p></main></body>
</html>
`;
  return new Response(html, {
    status,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}

function redirect(location: string, status: 302 | 303, cookies: readonly string[] = []): Response {
  const headers = new Headers({ Location: location, 'Cache-Control': 'no-store' });
  for (const cookie of cookies) headers.append('Set-Cookie', cookie);
  return new Response(null, { status, headers });
}

const SIGN_IN_AGAIN = { href: '/auth/login', text: 'Sign in again' };

/** Builds OIDC-mode authentication and its /auth routes. */
export function createOidcAuth(options: OidcAuthOptions): OidcAuth {
  const publicUrl = new URL(options.publicOrigin);
  if (publicUrl.origin !== options.publicOrigin) {
    throw new TypeError(
      `The public URL "${options.publicOrigin}" is not an origin such as https://keys.example.org.`,
    );
  }
  const issuer = new URL(options.issuer);
  // openid-client refuses plain http; a provider on this very machine is the one exception.
  const insecure = issuer.protocol === 'http:' && LOOPBACK_HOSTS.has(issuer.hostname);
  if (issuer.protocol !== 'https:' && !insecure) {
    throw new TypeError(
      `The OpenID Connect issuer "${options.issuer}" must use https:// (plain http only on 127.0.0.1 or localhost).`,
    );
  }
  const secure = publicUrl.protocol === 'https:';
  const redirectUri = `${options.publicOrigin}/auth/callback`;
  const signedOutUri = `${options.publicOrigin}/auth/signed-out`;
  const sessions = createSessionCodec({
    key: options.sessionKey,
    hours: options.sessionHours,
    secure,
    now: () => options.now(),
  });
  const loginSealer = createCookieSealer(options.sessionKey, 'login');
  // __Host- needs Path=/; this cookie is for /auth only, so the weaker __Secure- prefix.
  const loginCookie = secure ? '__Secure-keysmith-login' : 'keysmith-login';
  const loginCookieWith = (value: string, maxAge: number) =>
    serializeCookie(loginCookie, value, { path: '/auth', maxAge, secure });

  let discovered: Promise<client.Configuration> | null = null;
  function configuration(): Promise<client.Configuration> {
    discovered ??= client
      .discovery(
        issuer,
        options.clientId,
        undefined,
        client.ClientSecretBasic(options.clientSecret),
        {
          // eslint-disable-next-line @typescript-eslint/no-deprecated -- loopback issuers only, checked above
          execute: insecure ? [client.allowInsecureRequests] : [],
          timeout: 15,
        },
      )
      .catch((error: unknown) => {
        // The next sign-in tries again.
        discovered = null;
        throw error;
      });
    return discovered;
  }

  const providerDown = (error: unknown) => {
    console.error(
      'keysmith: OpenID Connect discovery failed:',
      error instanceof Error ? error.message : error,
    );
    return page(
      502,
      'Sign-in provider unreachable',
      `Keysmith could not reach the sign-in provider at ${options.issuer}. Try again in a minute; if it persists, tell your administrator.`,
      SIGN_IN_AGAIN,
    );
  };

  async function login(request: Request): Promise<Response> {
    let config: client.Configuration;
    try {
      config = await configuration();
    } catch (error) {
      return providerDown(error);
    }
    const query = new URL(request.url).searchParams;
    const verifier = client.randomPKCECodeVerifier();
    const state: LoginState = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier,
      returnTo: safeReturnPath(query.get('return')),
      expires: options.now().getTime() + LOGIN_SECONDS * 1000,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: state.state,
      nonce: state.nonce,
      ...(query.get('prompt') === 'login' ? { prompt: 'login' } : {}),
    });
    return redirect(url.href, 302, [loginCookieWith(loginSealer.seal(state), LOGIN_SECONDS)]);
  }

  async function callback(request: Request): Promise<Response> {
    const clearLogin = loginCookieWith('', 0);
    const value = readCookie(request.headers.get('cookie'), loginCookie);
    const parsed = loginSchema.safeParse(value === null ? null : loginSealer.open(value));
    if (!parsed.success || parsed.data.expires <= options.now().getTime()) {
      return page(
        400,
        'Sign-in expired',
        'This sign-in was started too long ago, in another browser, or in another tab since. Sign in again.',
        SIGN_IN_AGAIN,
      );
    }
    const login = parsed.data;
    let config: client.Configuration;
    try {
      config = await configuration();
    } catch (error) {
      return providerDown(error);
    }
    const requested = new URL(request.url);
    // The URL the provider sent the browser to: the public one, not the address listened on.
    const currentUrl = new URL(`${requested.pathname}${requested.search}`, options.publicOrigin);
    let claims: Record<string, unknown>;
    let idToken: string | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: login.verifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (idClaims === undefined) throw new Error('the token response has no ID token');
      claims = { ...idClaims };
      idToken = tokens.id_token;
      // Providers often release profile claims at the userinfo endpoint only (OIDC Core §5.4).
      if (claims[options.claim] === undefined && config.serverMetadata().userinfo_endpoint) {
        const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        claims = { ...info, ...idClaims };
      }
    } catch (error) {
      if (error instanceof client.AuthorizationResponseError) {
        const why = error.error_description ?? error.error;
        return withCookie(
          page(
            403,
            'Sign-in refused by the provider',
            `The sign-in provider said: ${why}. Try again, or ask your administrator for access to Keysmith.`,
            SIGN_IN_AGAIN,
          ),
          clearLogin,
        );
      }
      console.error(
        'keysmith: OpenID Connect sign-in failed:',
        error instanceof Error ? error.message : error,
      );
      return withCookie(
        page(
          400,
          'Sign-in failed',
          'The answer from the sign-in provider could not be verified, so you are not signed in. Sign in again; if it keeps failing, tell your administrator (the Keysmith log has the details).',
          SIGN_IN_AGAIN,
        ),
        clearLogin,
      );
    }
    const mapped = userFromClaims(claims, options);
    const refusal =
      'refusal' in mapped ? mapped.refusal : (await options.checkUser(mapped.user))?.message;
    if (refusal !== undefined || 'refusal' in mapped) {
      return withCookie(
        page(403, 'Keysmith cannot serve this account', refusal ?? '', {
          // prompt=login: the provider asks again instead of reusing its session (OIDC Core §3.1.2.1).
          href: '/auth/login?prompt=login',
          text: 'Sign in with another account',
        }),
        clearLogin,
      );
    }
    return redirect(login.returnTo, 303, [clearLogin, sessions.issue(mapped.user, idToken)]);
  }

  async function logout(request: Request): Promise<Response> {
    if (request.headers.get('origin') !== options.publicOrigin) {
      return page(
        403,
        'Sign-out refused',
        `Sign out from the Keysmith page at ${options.publicOrigin} (this request came from another site).`,
        { href: '/', text: 'Open Keysmith' },
      );
    }
    const session = sessions.read(request);
    let location = signedOutUri;
    if (session?.idTokenHint !== undefined) {
      try {
        const config = await configuration();
        if (config.serverMetadata().end_session_endpoint !== undefined) {
          location = client.buildEndSessionUrl(config, {
            id_token_hint: session.idTokenHint,
            post_logout_redirect_uri: signedOutUri,
          }).href;
        }
      } catch {
        // The provider is down: Keysmith's own session ends anyway.
      }
    }
    // The page signs out with fetch (a form post from a no-referrer page has Origin: null).
    if ((request.headers.get('accept') ?? '').includes('application/json')) {
      const headers = new Headers({
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
        'Set-Cookie': sessions.clear(),
      });
      return new Response(JSON.stringify({ location }), { status: 200, headers });
    }
    return redirect(location, 303, [sessions.clear()]);
  }

  return {
    async authenticate(request) {
      const session = sessions.read(request);
      if (session === null) {
        return {
          status: 401,
          code: 'unauthorized',
          message:
            'You are not signed in, or your session has ended. Reload the page to sign in again.',
        };
      }
      if (!SAFE_METHODS.has(request.method)) {
        // CSRF: browsers send Origin with every fetch that changes something; the cookie alone proves nothing.
        if (request.headers.get('origin') !== options.publicOrigin) {
          return {
            status: 403,
            code: 'forbidden',
            message: `Refused a change that did not come from the Keysmith page at ${options.publicOrigin} (cross-site request). Open Keysmith at that address and try again.`,
          };
        }
      }
      const refusal = await options.checkUser(session.user);
      if (refusal !== null) return refusal;
      return { user: session.user, mode: 'oidc' };
    },

    async pageGate(request) {
      const url = new URL(request.url);
      const method = request.method;
      const readOnly = method === 'GET' || method === 'HEAD';
      switch (url.pathname) {
        case '/auth/login':
          return readOnly ? login(request) : methodNotAllowed('GET');
        case '/auth/callback':
          return readOnly ? callback(request) : methodNotAllowed('GET');
        case '/auth/logout':
          return method === 'POST' ? logout(request) : methodNotAllowed('POST');
        case '/auth/signed-out':
          return readOnly
            ? page(200, 'Signed out', 'You have signed out of Keysmith.', SIGN_IN_AGAIN)
            : methodNotAllowed('GET');
        default:
          break;
      }
      if (url.pathname === '/auth' || url.pathname.startsWith('/auth/')) {
        return page(404, 'Not found', `There is no page at ${url.pathname}.`, {
          href: '/',
          text: 'Open Keysmith',
        });
      }
      if (!readOnly || sessions.read(request) !== null) return null;
      const back = `${url.pathname}${url.search}`;
      return redirect(
        back === '/' ? '/auth/login' : `/auth/login?return=${encodeURIComponent(back)}`,
        302,
      );
    },
  };
}

function withCookie(response: Response, cookie: string): Response {
  response.headers.append('Set-Cookie', cookie);
  return response;
}

function methodNotAllowed(allow: string): Response {
  return new Response(`Use ${allow} here.\n`, {
    status: 405,
    headers: { Allow: allow, 'Content-Type': 'text/plain; charset=utf-8' },
  });
}
