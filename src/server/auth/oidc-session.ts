/**
 * The OIDC-mode session: a sealed cookie holding who signed in and until when. The lifetime is
 * enforced here from the payload, whatever Max-Age a browser or a copied cookie claims.
 */
import * as z from 'zod/mini';
import {
  createCookieSealer,
  readCookie,
  serializeCookie,
  type SessionKey,
} from './session-cookie.ts';

export interface Session {
  user: string;
  /** Milliseconds since the epoch. */
  issued: number;
  expires: number;
  /** The provider's ID token, for its end_session_endpoint (`id_token_hint`). */
  idTokenHint?: string;
}

const sessionSchema = z.strictObject({
  user: z.string().check(z.minLength(1), z.maxLength(64)),
  issued: z.int(),
  expires: z.int(),
  idTokenHint: z.optional(z.string().check(z.maxLength(3000))),
});

export interface SessionCodecOptions {
  key: SessionKey;
  /** `--session-hours`. */
  hours: number;
  /** The public URL is https: Secure and the `__Host-` prefix (RFC 6265bis §4.1.3.2). */
  secure: boolean;
  now(): Date;
}

export interface SessionCodec {
  /** The cookie's name: `__Host-keysmith-session` over https, `keysmith-session` otherwise. */
  name: string;
  /** A Set-Cookie value starting a session for `user` now. */
  issue(user: string, idTokenHint?: string): string;
  /** The session the request carries, or null: none, tampered, foreign key, or expired. */
  read(request: Request): Session | null;
  /** A Set-Cookie value deleting the session cookie. */
  clear(): string;
}

/** The session cookie of OIDC mode. */
export function createSessionCodec(options: SessionCodecOptions): SessionCodec {
  if (!Number.isFinite(options.hours) || options.hours <= 0) {
    throw new RangeError('The session lifetime must be a positive number of hours.');
  }
  const sealer = createCookieSealer(options.key, 'session');
  const name = options.secure ? '__Host-keysmith-session' : 'keysmith-session';
  const lifetime = Math.round(options.hours * 3600 * 1000);
  const attributes = (maxAge: number) => ({ path: '/', maxAge, secure: options.secure });
  return {
    name,
    issue(user, idTokenHint) {
      const issued = options.now().getTime();
      const session: Session = {
        user,
        issued,
        expires: issued + lifetime,
        ...(idTokenHint === undefined ? {} : { idTokenHint }),
      };
      return serializeCookie(name, sealer.seal(session), attributes(Math.floor(lifetime / 1000)));
    },
    read(request) {
      const value = readCookie(request.headers.get('cookie'), name);
      if (value === null) return null;
      const parsed = sessionSchema.safeParse(sealer.open(value));
      if (!parsed.success) return null;
      const session = parsed.data;
      const now = options.now().getTime();
      // A shorter --session-hours applies to sessions already out there, too.
      if (now >= session.expires || now >= session.issued + lifetime) return null;
      // Issued in the future: a replica's clock is off by more than a minute.
      if (session.issued > now + 60_000) return null;
      return session;
    },
    clear() {
      return serializeCookie(name, '', attributes(0));
    },
  };
}
