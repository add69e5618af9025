import { describe, expect, it } from 'vitest';
import { bcryptPbkdf } from './bcrypt-pbkdf.ts';
import {
  answerKdfBlockRequest,
  createBlockKdf,
  type KdfBlockRequest,
  type KdfBlockResponse,
  type KdfPort,
} from './kdf-blocks-protocol.ts';

/** A worker in this thread: answers each request on a later task, as a real one would. */
class InThreadPort implements KdfPort {
  requests: KdfBlockRequest[] = [];
  listener: ((response: KdfBlockResponse) => void) | null = null;
  failure: ((error: Error) => void) | null = null;
  terminated = false;
  answering = true;
  post(request: KdfBlockRequest) {
    this.requests.push(request);
    if (!this.answering) return;
    setTimeout(() => this.listener?.(answerKdfBlockRequest(request)), 0);
  }
  onMessage(listener: (response: KdfBlockResponse) => void) {
    this.listener = listener;
  }
  onFailure(listener: (error: Error) => void) {
    this.failure = listener;
  }
  terminate() {
    this.terminated = true;
  }
}

const pass = new TextEncoder().encode('pässwörd 鍵');
const salt = Uint8Array.from({ length: 16 }, (_, i) => i * 11);

describe('createBlockKdf', () => {
  it('spreads the blocks over the ports and interleaves them into bcrypt_pbkdf', async () => {
    const ports = [new InThreadPort(), new InThreadPort()];
    const { kdf, dispose } = createBlockKdf(ports);
    expect(await kdf(pass, salt, 3, 48)).toEqual(bcryptPbkdf(pass, salt, 3, 48));
    expect(await kdf(pass, salt, 2, 100)).toEqual(bcryptPbkdf(pass, salt, 2, 100));
    expect(ports.map((port) => port.requests.map((request) => request.block))).toEqual([
      [1, 1, 3],
      [2, 2, 4],
    ]);
    await dispose();
    expect(ports.every((port) => port.terminated)).toBe(true);
  });

  it("passes a worker's refusal on, with bcrypt_pbkdf's message", async () => {
    const { kdf } = createBlockKdf([new InThreadPort()]);
    await expect(kdf(new Uint8Array(0), salt, 1, 48)).rejects.toThrow(
      'bcrypt_pbkdf failed: "pass" must not be empty',
    );
    await expect(kdf(pass, salt, 1, 0)).rejects.toThrow(/"keyLength"/);
  });

  it('fails pending derivations with the error of a port that stopped', async () => {
    const port = new InThreadPort();
    port.answering = false;
    const { kdf } = createBlockKdf([port]);
    const pending = kdf(pass, salt, 1, 48);
    port.failure?.(new Error('worker gone: reload'));
    await expect(pending).rejects.toThrow('worker gone: reload');
  });

  it('fails pending and later derivations once disposed', async () => {
    const port = new InThreadPort();
    port.answering = false;
    const { kdf, dispose } = createBlockKdf([port]);
    const pending = kdf(pass, salt, 1, 48);
    await dispose();
    await expect(pending).rejects.toThrow(/terminated/);
    await expect(kdf(pass, salt, 1, 48)).rejects.toThrow(/terminated/);
    expect(() => createBlockKdf([])).toThrow(RangeError);
  });
});
