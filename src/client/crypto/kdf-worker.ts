/// <reference lib="webworker" />
/**
 * One block of bcrypt_pbkdf per message, off the UI thread: the KDF blocks for hundreds of
 * milliseconds (REFERENCE.md, "bcrypt_pbkdf"), and its blocks are independent, so the page
 * runs two of these workers side by side (see worker-kdf.ts).
 */
import { bcryptPbkdfBlock, warmUpBcryptPbkdf } from '../../crypto/bcrypt-pbkdf.ts';
import type { KdfBlockRequest, KdfBlockResponse } from './kdf-messages.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = (event: MessageEvent<KdfBlockRequest>) => {
  const { id, passphrase, salt, rounds, block } = event.data;
  let response: KdfBlockResponse;
  try {
    response = { id, ok: true, bytes: bcryptPbkdfBlock(passphrase, salt, rounds, block) };
  } catch (error) {
    response = { id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  scope.postMessage(response);
};

// Compile the Blowfish loops now, while the user types the passphrase, not after the click.
warmUpBcryptPbkdf();
