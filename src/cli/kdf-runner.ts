/**
 * bcrypt_pbkdf off the main thread for the command line: the 32-byte blocks of the key are
 * independent (bcrypt_pbkdf.c), so a 48-byte OpenSSH key+IV is two blocks computed at once in
 * two worker threads, then interleaved.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { bcryptPbkdfBlockCount, interleaveBlocks } from '../crypto/bcrypt-pbkdf-blocks.ts';
import type { Kdf } from '../crypto/private-key.ts';
import type { KdfJob, KdfReply } from './kdf-worker.ts';

/** A Kdf running in worker threads; `terminate` stops the threads (call it when done). */
export type NodeKdf = Kdf & { terminate: () => Promise<void> };

const WORKERS = 2;

interface Pending {
  resolve: (block: Uint8Array) => void;
  reject: (error: Error) => void;
}

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

/**
 * Starts a bcrypt_pbkdf runner on two worker threads (started on first use). Works from the
 * compiled dist/node (kdf-worker.js) and from source under vitest (kdf-worker.ts, loaded
 * through tsx).
 */
export function createNodeKdf(): NodeKdf {
  const fromSource = import.meta.url.endsWith('.ts');
  const workerUrl = new URL(fromSource ? './kdf-worker.ts' : './kdf-worker.js', import.meta.url);
  const pending = new Map<number, Pending>();
  let workers: Worker[] = [];
  let nextId = 1;
  let closed = false;

  const failAll = (error: Error) => {
    for (const job of pending.values()) job.reject(error);
    pending.clear();
  };

  const start = (): Worker[] => {
    if (workers.length > 0) return workers;
    workers = Array.from({ length: WORKERS }, () => {
      const worker = fromSource ? sourceWorker(workerUrl) : new Worker(workerUrl);
      worker.on('message', (reply: KdfReply) => {
        const job = pending.get(reply.id);
        if (!job) return;
        pending.delete(reply.id);
        if ('error' in reply) job.reject(new Error(`bcrypt_pbkdf worker: ${reply.error}`));
        else job.resolve(new Uint8Array(reply.block));
      });
      worker.on('error', (error) => {
        failAll(error);
      });
      worker.on('exit', (code) => {
        if (!closed) failAll(new Error(`bcrypt_pbkdf worker stopped (exit code ${code})`));
      });
      return worker;
    });
    return workers;
  };

  const runBlock = (worker: Worker, job: Omit<KdfJob, 'id'>): Promise<Uint8Array> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...job } satisfies KdfJob);
    });

  const kdf: Kdf = async (passphrase, salt, rounds, keyLength) => {
    if (closed) throw new Error('the KDF runner was terminated');
    const count = bcryptPbkdfBlockCount(keyLength);
    const pool = start();
    const blocks = await Promise.all(
      Array.from({ length: count }, (_, i) => {
        const worker = pool[i % pool.length];
        if (worker === undefined) throw new Error('no KDF worker');
        return runBlock(worker, { pass: passphrase, salt, rounds, block: i + 1 });
      }),
    );
    return interleaveBlocks(blocks, keyLength);
  };

  const terminate = async (): Promise<void> => {
    closed = true;
    failAll(new Error('the KDF runner was terminated'));
    const running = workers;
    workers = [];
    await Promise.all(running.map((w) => w.terminate()));
  };

  return Object.assign(kdf, { terminate });
}
