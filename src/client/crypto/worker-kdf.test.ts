import { afterEach, describe, expect, it, vi } from 'vitest';
import { bcryptPbkdf, bcryptPbkdfBlock } from '../../crypto/bcrypt-pbkdf.ts';
import type { KdfBlockRequest, KdfBlockResponse } from '../../crypto/kdf-blocks-protocol.ts';
import { createWorkerKdfRunner } from './worker-kdf.ts';

/**
 * jsdom has no Worker. This stand-in answers like kdf-worker.ts does, asynchronously, and
 * records which worker computed which block.
 */
class FakeWorker {
  static instances: FakeWorker[] = [];
  onmessage: ((event: MessageEvent<KdfBlockResponse>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  blocks: number[] = [];
  terminated = false;
  constructor(
    readonly url: URL,
    readonly options: WorkerOptions,
  ) {
    FakeWorker.instances.push(this);
  }
  postMessage(request: KdfBlockRequest) {
    this.blocks.push(request.block);
    setTimeout(() => {
      const bytes = bcryptPbkdfBlock(
        request.passphrase,
        request.salt,
        request.rounds,
        request.block,
      );
      this.onmessage?.(new MessageEvent('message', { data: { id: request.id, ok: true, bytes } }));
    }, 0);
  }
  terminate() {
    this.terminated = true;
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  FakeWorker.instances = [];
});

describe('createWorkerKdfRunner', () => {
  it('starts two module workers at once and gives each one block of the 48-byte aes256-ctr key', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const runner = createWorkerKdfRunner();
    expect(FakeWorker.instances).toHaveLength(2);
    for (const worker of FakeWorker.instances) {
      expect(worker.url.pathname).toMatch(/kdf-worker\.ts$/);
      expect(worker.options).toEqual({ type: 'module' });
    }
    const passphrase = new TextEncoder().encode('correct horse battery staple');
    const salt = Uint8Array.from({ length: 16 }, (_, i) => i * 7);
    const key = await runner.kdf(passphrase, salt, 4, 48);
    // Same bytes as the one-thread bcrypt_pbkdf: the interleaving of the blocks is right.
    expect(key).toEqual(bcryptPbkdf(passphrase, salt, 4, 48));
    expect(FakeWorker.instances.map((worker) => worker.blocks)).toEqual([[1], [2]]);
    runner.dispose();
    expect(FakeWorker.instances.every((worker) => worker.terminated)).toBe(true);
  });

  it('spreads longer keys over the workers round-robin', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const runner = createWorkerKdfRunner();
    const passphrase = new TextEncoder().encode('pw');
    const salt = new Uint8Array(16).fill(3);
    expect(await runner.kdf(passphrase, salt, 2, 100)).toEqual(
      bcryptPbkdf(passphrase, salt, 2, 100),
    );
    expect(FakeWorker.instances.map((worker) => worker.blocks)).toEqual([
      [1, 3],
      [2, 4],
    ]);
    runner.dispose();
  });

  it('fails pending derivations with advice when a worker dies', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const runner = createWorkerKdfRunner();
    const worker = FakeWorker.instances[0];
    if (!worker) throw new Error('no worker');
    worker.postMessage = () => undefined;
    const pending = runner.kdf(new Uint8Array(1), new Uint8Array(16), 1, 48);
    worker.onerror?.(new ErrorEvent('error', { message: 'boom' }));
    await expect(pending).rejects.toThrow('Reload the page and try again.');
    runner.dispose();
  });
});
