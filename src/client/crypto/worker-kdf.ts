import { interleaveBlocks } from '../../crypto/bcrypt-pbkdf-blocks.ts';
import type { Kdf } from '../../crypto/private-key.ts';
import type { KdfBlockRequest, KdfBlockResponse } from './kdf-messages.ts';

/** A Kdf for encodePrivateKey plus the workers behind it, to end when the dialog closes. */
export interface KdfRunner {
  kdf: Kdf;
  dispose: () => void;
}

/** bcrypt_pbkdf makes its output from ceil(keyLength / 32) independent 32-byte blocks. */
const BLOCK_LENGTH = 32;

/**
 * Starts `count` module workers (two: an aes256-ctr key and IV take 48 bytes, i.e. two blocks)
 * so they are loaded and warm before the user clicks "Generate Key", and spreads the blocks of
 * each derivation over them. The UI thread never runs bcrypt.
 */
export function createWorkerKdfRunner(count = 2): KdfRunner {
  const workers = Array.from(
    { length: count },
    () => new Worker(new URL('./kdf-worker.ts', import.meta.url), { type: 'module' }),
  );
  let nextId = 1;
  const pending = new Map<
    number,
    { resolve: (bytes: Uint8Array) => void; reject: (error: Error) => void }
  >();
  for (const worker of workers) {
    worker.onmessage = (event: MessageEvent<KdfBlockResponse>) => {
      const data = event.data;
      const entry = pending.get(data.id);
      if (!entry) return;
      pending.delete(data.id);
      if (data.ok) entry.resolve(data.bytes);
      else entry.reject(new Error(`Encrypting the key failed: ${data.message}`));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      for (const entry of pending.values()) {
        entry.reject(
          new Error(
            'The background worker that encrypts the key stopped. Reload the page and try again.',
          ),
        );
      }
      pending.clear();
    };
  }

  function runBlock(worker: Worker, request: Omit<KdfBlockRequest, 'id'>): Promise<Uint8Array> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...request } satisfies KdfBlockRequest);
    });
  }

  const kdf: Kdf = async (passphrase, salt, rounds, keyLength) => {
    const blockCount = Math.ceil(keyLength / BLOCK_LENGTH);
    const blocks = await Promise.all(
      Array.from({ length: blockCount }, (_, index) => {
        const worker = workers[index % workers.length];
        if (!worker) throw new Error('No KDF worker is running.');
        return runBlock(worker, { passphrase, salt, rounds, block: index + 1 });
      }),
    );
    return interleaveBlocks(blocks, keyLength);
  };

  return {
    kdf,
    dispose: () => {
      for (const worker of workers) worker.terminate();
      for (const entry of pending.values()) entry.reject(new Error('The dialog was closed.'));
      pending.clear();
    },
  };
}
