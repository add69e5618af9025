/// <reference lib="webworker" />
/**
 * One block of bcrypt_pbkdf per message, off the UI thread: the KDF blocks for hundreds of
 * milliseconds, and its blocks are independent, so the page runs two of these side by side
 * (worker-kdf.ts).
 */
import { warmUpBcryptPbkdf } from '../../crypto/bcrypt-pbkdf.ts';
import { answerKdfBlockRequest, type KdfBlockRequest } from '../../crypto/kdf-blocks-protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = (event: MessageEvent<KdfBlockRequest>) => {
  scope.postMessage(answerKdfBlockRequest(event.data));
};

// Compile the Blowfish loops now, while the user types the passphrase, not after the click.
warmUpBcryptPbkdf();
