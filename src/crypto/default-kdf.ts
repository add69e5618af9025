/**
 * The in-thread KDF: bcrypt_pbkdf on the calling thread. It blocks for hundreds of
 * milliseconds, so apps pass a worker-backed Kdf instead (src/client Web Worker runner,
 * src/cli/kdf-runner.ts); this is the fallback and the choice for tests.
 */
import { bcryptPbkdf } from './bcrypt-pbkdf.ts';
import type { Kdf } from './private-key.ts';

/** bcrypt_pbkdf computed synchronously in this thread, wrapped in a Promise. */
export const inThreadKdf: Kdf = (passphrase, salt, rounds, keyLength) =>
  new Promise((resolve) => {
    resolve(bcryptPbkdf(passphrase, salt, rounds, keyLength));
  });
