import {
  createBlockKdf,
  type KdfBlockResponse,
  type KdfPort,
} from '../../crypto/kdf-blocks-protocol.ts';
import type { Kdf } from '../../crypto/kdf.ts';

/** A Kdf for encodePrivateKey plus the workers behind it, to end when the dialog closes. */
export interface KdfRunner {
  kdf: Kdf;
  dispose: () => void;
}

function webWorkerPort(worker: Worker): KdfPort {
  return {
    post: (request) => {
      worker.postMessage(request);
    },
    onMessage: (listener) => {
      worker.onmessage = (event: MessageEvent<KdfBlockResponse>) => {
        listener(event.data);
      };
    },
    onFailure: (listener) => {
      worker.onerror = (event) => {
        event.preventDefault();
        listener(
          new Error(
            'The background worker that encrypts the key stopped. Reload the page and try again.',
          ),
        );
      };
    },
    terminate: () => {
      worker.terminate();
    },
  };
}

/**
 * Starts `count` module workers (two: an aes256-ctr key and IV take 48 bytes, i.e. two blocks)
 * so they are loaded and warm before the user clicks "Generate Key". The UI thread never runs
 * bcrypt.
 */
export function createWorkerKdfRunner(count = 2): KdfRunner {
  const ports = Array.from({ length: count }, () =>
    webWorkerPort(new Worker(new URL('./kdf-worker.ts', import.meta.url), { type: 'module' })),
  );
  return createBlockKdf(ports);
}
