/** What an LDAP failure means for the person asking, and what to do about it. */
import {
  InsufficientAccessError,
  InvalidCredentialsError,
  NoSuchAttributeError,
  NoSuchObjectError,
  ObjectClassViolationError,
  ResultCodeError,
  TypeOrValueExistsError,
  UndefinedTypeError,
} from 'ldapts';
import { KeyStoreError } from '../../store/key-store.ts';

const README = 'README, "Keys in LDAP or FreeIPA"';

/** Maps a failure of the directory to the API's error; a KeyStoreError passes as it is. */
export function ldapError(
  error: unknown,
  config: { url: string; bindDn: string; keyAttribute: string },
): KeyStoreError {
  if (error instanceof KeyStoreError) return error;
  const attribute = config.keyAttribute;
  if (error instanceof InvalidCredentialsError) {
    return new KeyStoreError(
      'internal',
      500,
      `The directory refused Keysmith's sign-in as ${config.bindDn}. Ask your administrator to check --ldap-bind-dn and --ldap-bind-password-file.`,
      { cause: error },
    );
  }
  if (error instanceof InsufficientAccessError) {
    return new KeyStoreError(
      'internal',
      500,
      `The directory does not let Keysmith's account change ${attribute}. Ask your administrator to grant it write access to ${attribute} (${README}).`,
      { cause: error },
    );
  }
  if (error instanceof ObjectClassViolationError || error instanceof UndefinedTypeError) {
    return new KeyStoreError(
      'internal',
      500,
      `Your directory entry cannot hold ${attribute}. Ask your administrator to add the object class for SSH keys to it (ldapPublicKey; FreeIPA: ipaSshUser).`,
      { cause: error },
    );
  }
  if (error instanceof TypeOrValueExistsError) {
    return new KeyStoreError(
      'duplicate',
      409,
      'This key was just added to your directory entry by another request. Reload the list.',
      { cause: error },
    );
  }
  if (error instanceof NoSuchAttributeError || error instanceof NoSuchObjectError) {
    return new KeyStoreError(
      'not-found',
      404,
      'The key was removed from your directory entry meanwhile. Reload the list to see the current keys.',
      { cause: error },
    );
  }
  if (error instanceof ResultCodeError) {
    return new KeyStoreError(
      'internal',
      500,
      `The directory refused the request (${error.message}). Try again; if it persists, tell your administrator.`,
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/altnames/i.test(message)) {
    return new KeyStoreError(
      'internal',
      500,
      `The directory's certificate is not for the host in ${config.url} (${message}). Ask your administrator to set --ldap-url to the name the certificate is for.`,
      { cause: error },
    );
  }
  if (/certificate|self.signed|altnames|CERT_|SSL|TLS/i.test(message)) {
    return new KeyStoreError(
      'internal',
      500,
      `Keysmith could not make a trusted TLS connection to ${config.url} (${message}). Ask your administrator to check --ldap-ca-file.`,
      { cause: error },
    );
  }
  return new KeyStoreError(
    'busy',
    503,
    `The directory at ${config.url} did not answer (${message}). Try again in a moment.`,
    { cause: error },
    5,
  );
}
