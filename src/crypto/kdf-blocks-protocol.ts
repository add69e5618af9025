/**
 * bcrypt_pbkdf in workers, one protocol for the page's Web Workers and the command line's
 * worker threads: the 32-byte blocks of a key are independent (bcrypt_pbkdf.c), so a runner
 * asks its workers for one block each and interleaves the answers into the key.
 */
import { bcryptPbkdfBlock } from './bcrypt-pbkdf.ts';
import { bcryptPbkdfBlockCount, interleaveBlocks } from './bcrypt-pbkdf-blocks.ts';
import type { Kdf } from './kdf.ts';

/** What a runner asks a worker: one 32-byte block of bcrypt_pbkdf (`block` counts from 1). */
export interface KdfBlockRequest {
  id: number;
  passphrase: Uint8Array;
  salt: Uint8Array;
  rounds: number;
  block: number;
}

/** A worker's answer to the request with the same `id`. */
export type KdfBlockResponse =
  { id: number; ok: true; bytes: Uint8Array } | { id: number; ok: false; message: string };

/** The worker's side: the requested block, or why it cannot be computed. */
export function answerKdfBlockRequest(request: KdfBlockRequest): KdfBlockResponse {
  const { id, passphrase, salt, rounds, block } = request;
  try {
    return { id, ok: true, bytes: bcryptPbkdfBlock(passphrase, salt, rounds, block) };
  } catch (error) {
    return { id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** One worker as the runner sees it, whatever the platform runs it in. */
export interface KdfPort {
  post(request: KdfBlockRequest): void;
  onMessage(listener: (response: KdfBlockResponse) => void): void;
  /** `listener` learns that the worker stopped: its pending requests will never be answered. */
  onFailure(listener: (error: Error) => void): void;
  terminate(): void | Promise<void>;
}

/** A Kdf over workers, and the way to stop them. */
export interface BlockKdf {
  kdf: Kdf;
  /** Stops the workers; pending and later derivations fail. */
  dispose: () => Promise<void>;
}

const STOPPED = 'The KDF workers were terminated; start new ones to derive a key.';

/**
 * A Kdf that spreads each key's blocks over `ports` (block k to port (k - 1) mod n, so the two
 * blocks of an aes256-ctr key and IV run side by side on two workers) and interleaves them.
 */
export function createBlockKdf(ports: readonly KdfPort[]): BlockKdf {
  if (ports.length === 0) throw new RangeError('"ports" must hold at least one worker');
  const pending = new Map<
    number,
    { resolve: (bytes: Uint8Array) => void; reject: (error: Error) => void }
  >();
  let nextId = 1;
  let stopped = false;

  const failAll = (error: Error) => {
    for (const entry of pending.values()) entry.reject(error);
    pending.clear();
  };
  for (const port of ports) {
    port.onMessage((response) => {
      const entry = pending.get(response.id);
      if (entry === undefined) return;
      pending.delete(response.id);
      if (response.ok) entry.resolve(response.bytes);
      else entry.reject(new Error(`bcrypt_pbkdf failed: ${response.message}`));
    });
    port.onFailure(failAll);
  }

  const runBlock = (port: KdfPort, request: Omit<KdfBlockRequest, 'id'>) =>
    new Promise<Uint8Array>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      port.post({ id, ...request });
    });

  const kdf: Kdf = async (passphrase, salt, rounds, keyLength) => {
    if (stopped) throw new Error(STOPPED);
    const requests: Promise<Uint8Array>[] = [];
    for (let block = 1; block <= bcryptPbkdfBlockCount(keyLength); block++) {
      const port = ports[(block - 1) % ports.length];
      if (port === undefined) throw new Error('no KDF worker');
      requests.push(runBlock(port, { passphrase, salt, rounds, block }));
    }
    return interleaveBlocks(await Promise.all(requests), keyLength);
  };

  const dispose = async () => {
    stopped = true;
    failAll(new Error(STOPPED));
    await Promise.all(ports.map((port) => Promise.resolve(port.terminate())));
  };
  return { kdf, dispose };
}
