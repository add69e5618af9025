/**
 * Stateless sealed cookies: the value is AES-256-GCM over a small JSON payload, so only a
 * holder of the session key can make or read one, and any change to it fails the tag check.
 * Any number of replicas with the same key file read each other's cookies; nothing is stored.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

/** Raw session key material read from `--session-key-file`. */
export type SessionKey = Uint8Array;

/** Fewest bytes a session key file must hold (after trailing blanks are dropped). */
export const MIN_SESSION_KEY_BYTES = 32;

/**
 * Reads `--session-key-file`: at least 32 bytes (`openssl rand -base64 48` makes 64 characters),
 * readable by its owner only. Throws an Error whose message says how to fix the file.
 */
export function loadSessionKey(path: string): SessionKey {
  let mode: number;
  let bytes: Buffer;
  try {
    mode = statSync(path).mode;
    bytes = readFileSync(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `cannot read the session key file ${path} (${reason}). Make one with: openssl rand -base64 48 > ${path} && chmod 600 ${path}`,
    );
  }
  if ((mode & 0o077) !== 0) {
    throw new Error(
      `the session key file ${path} is readable by others (mode ${(mode & 0o777).toString(8)}); anyone who reads it can sign in as any user. Run: chmod 600 ${path}`,
    );
  }
  const key = trimEnd(bytes);
  if (key.length < MIN_SESSION_KEY_BYTES) {
    throw new Error(
      `the session key file ${path} holds ${key.length} bytes; it needs at least ${MIN_SESSION_KEY_BYTES} random bytes. Make one with: openssl rand -base64 48 > ${path}`,
    );
  }
  return key;
}

function trimEnd(bytes: Buffer): Buffer {
  let end = bytes.length;
  while (end > 0 && [0x0a, 0x0d, 0x20, 0x09].includes(bytes[end - 1] ?? 0)) end -= 1;
  return bytes.subarray(0, end);
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** One purpose (the session, the sign-in's transient values): its own key and its own name. */
export interface CookieSealer {
  seal(payload: unknown): string;
  /** The payload, or null for a value that was not sealed by this key for this purpose. */
  open(value: string): unknown;
}

/**
 * A sealer for one purpose. The AES key is derived from the session key with HKDF-SHA256
 * (RFC 5869) and the purpose as `info`, so a cookie of one purpose never opens as another.
 */
export function createCookieSealer(sessionKey: SessionKey, purpose: string): CookieSealer {
  const key = Buffer.from(
    hkdfSync('sha256', sessionKey, 'keysmith-cookie', `keysmith ${purpose} v1`, 32),
  );
  const aad = Buffer.from(purpose, 'utf8');
  return {
    seal(payload) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad);
      const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
      return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
    },
    open(value) {
      if (!/^[A-Za-z0-9_-]+$/.test(value)) return null;
      const raw = Buffer.from(value, 'base64url');
      if (raw.length <= IV_BYTES + TAG_BYTES) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES), {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(aad);
        decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
        const text = Buffer.concat([
          decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
        return JSON.parse(text) as unknown;
      } catch {
        // A wrong tag (tampered, or sealed with another key or purpose) throws in final().
        return null;
      }
    },
  };
}

/** The value of cookie `name` in a Cookie header, or null (RFC 6265 §5.4 `name=value; …`). */
export function readCookie(header: string | null, name: string): string | null {
  if (header === null) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export interface CookieAttributes {
  path: string;
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
  secure: boolean;
}

/** A Set-Cookie value: HttpOnly and SameSite=Lax always (the provider's redirect back is a top-level GET). */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes): string {
  return [
    `${name}=${value}`,
    `Path=${attributes.path}`,
    `Max-Age=${attributes.maxAge}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(attributes.secure ? ['Secure'] : []),
  ].join('; ');
}
