/**
 * What the HTTP app needs from an authorized_keys store, and the one error type stores throw.
 * Platform-neutral (no `node:`): the msw mock runs the same app over an in-memory store.
 */
import type { CreateKeyRequest, ErrorCode, ListKeysResponse, SshKey } from '../../api/ssh-keys.ts';

/**
 * One user's keys as the API sees it: an authorized_keys file, or the key attribute of the
 * user's directory entry (`--store ldap`, whose values are read as authorized_keys lines).
 */
export interface KeyStore {
  /** Every key in the file (ours and foreign ones), plus what would make sshd ignore the file. */
  list(): Promise<ListKeysResponse>;
  /**
   * Optional: the same answer as `list()` as the UTF-8 JSON response body, for a store that can
   * serve it without building and serializing every key again (the file store caches it). The
   * bytes may be shared between requests: never change them.
   */
  listBody?(): Promise<Uint8Array<ArrayBuffer>>;
  /** Adds one key, composed by the server from the parsed request; resolves to the key as listed. */
  add(request: CreateKeyRequest, now: Date): Promise<SshKey>;
  /** Removes every line holding the key with this fingerprint, and Keysmith's line above each. */
  remove(fingerprint: string): Promise<void>;
}

/** HTTP statuses the API answers errors with. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 429 | 500 | 503;

/**
 * An error meant for the API client: the app's one error mapper turns it into
 * `{ error: { code, message } }` with this status. The message says what to do next.
 */
export class KeyStoreError extends Error {
  readonly code: ErrorCode;
  readonly status: ErrorStatus;
  /** For a 429 or 503: when to try again, sent as `Retry-After` (RFC 9110 §10.2.3). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    status: ErrorStatus,
    message: string,
    options?: ErrorOptions,
    retryAfterSeconds?: number,
  ) {
    super(message, options);
    this.name = 'KeyStoreError';
    this.code = code;
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
