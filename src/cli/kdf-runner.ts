/**
 * bcrypt_pbkdf off the main thread for the command line: the blocks of a key go to two worker
 * threads (kdf-worker.ts) through the protocol the page uses too (kdf-blocks-protocol.ts).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  createBlockKdf,
  type BlockKdf,
  type KdfBlockResponse,
  type KdfPort,
} from '../crypto/kdf-blocks-protocol.ts';
import type { Kdf } from '../crypto/kdf.ts';

/** A Kdf running in worker threads; `terminate` stops the threads (call it when done). */
export type NodeKdf = Kdf & { terminate: () => Promise<void> };

const WORKERS = 2;

/**
 * Runs a TypeScript worker from source (under vitest). Node 20 ignores `--import` in a worker's
 * execArgv, so a small bootstrap registers tsx's loader inside the worker, then imports it.
 */
function sourceWorker(url: URL): Worker {
  // The ESM entry of tsx's API (its package "exports" "./esm/api" import condition).
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsxApi = new URL('dist/esm/api/index.mjs', pathToFileURL(tsxPackage)).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

function workerThreadPort(worker: Worker): KdfPort {
  return {
    post: (request) => {
      worker.postMessage(request);
    },
    onMessage: (listener) => {
      worker.on('message', (response: KdfBlockResponse) => {
        listener(response);
      });
    },
    onFailure: (listener) => {
      worker.on('error', listener);
      worker.on('exit', (code) => {
        listener(new Error(`A bcrypt_pbkdf worker thread stopped (exit code ${code}).`));
      });
    },
    terminate: async () => {
      await worker.terminate();
    },
  };
}

/**
 * A bcrypt_pbkdf runner on two worker threads, started on first use. Works from the compiled
 * dist/node (kdf-worker.js) and from source under vitest (kdf-worker.ts, loaded through tsx).
 */
export function createNodeKdf(): NodeKdf {
  const fromSource = import.meta.url.endsWith('.ts');
  const workerUrl = new URL(fromSource ? './kdf-worker.ts' : './kdf-worker.js', import.meta.url);
  let runner: BlockKdf | null = null;
  let terminated = false;

  const kdf: Kdf = (passphrase, salt, rounds, keyLength) => {
    if (terminated) return Promise.reject(new Error('The KDF runner was terminated.'));
    runner ??= createBlockKdf(
      Array.from({ length: WORKERS }, () =>
        workerThreadPort(fromSource ? sourceWorker(workerUrl) : new Worker(workerUrl)),
      ),
    );
    return runner.kdf(passphrase, salt, rounds, keyLength);
  };

  const terminate = async (): Promise<void> => {
    terminated = true;
    await runner?.dispose();
    runner = null;
  };

  return Object.assign(kdf, { terminate });
}
