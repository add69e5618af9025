/**
 * Diagnosis for figure 1: bcrypt_pbkdf alone in Node (48 bytes, 24 rounds, as for an
 * aes256-ctr key and IV): ours in one thread, ours in the CLI's two worker threads, and the npm
 * bcrypt-pbkdf package, each against native ssh-keygen timed in between (same run, same load).
 */
import { pbkdf } from 'bcrypt-pbkdf';
import { createNodeKdf } from '../../src/cli/kdf-runner.ts';
import { bcryptPbkdf } from '../../src/crypto/bcrypt-pbkdf.ts';
import { timeSshKeygen } from './ssh-keygen-reference.ts';
import { describeSummary, summarize, type Figure } from './stats.ts';

const ROUNDS = 24;
const KEY_LENGTH = 48;

function npmPackage(pass: Uint8Array, salt: Uint8Array): Uint8Array {
  const out = new Uint8Array(KEY_LENGTH);
  if (pbkdf(pass, pass.length, salt, salt.length, out, KEY_LENGTH, ROUNDS) !== 0) {
    throw new Error('bcrypt-pbkdf package failed');
  }
  return out;
}

/** Runs each variant `runs` times, interleaved with ssh-keygen, after one warm-up each. */
export async function kdfFigures(runs: number): Promise<Figure[]> {
  const pass = new TextEncoder().encode('pass');
  const salt = Uint8Array.from({ length: 16 }, (_, i) => i * 13);
  const workers = createNodeKdf();
  try {
    // Warm-up: JIT-compile the hot loops, start the worker threads.
    const expected = bcryptPbkdf(pass, salt, ROUNDS, KEY_LENGTH);
    const fromWorkers = await workers(pass, salt, ROUNDS, KEY_LENGTH);
    if (Buffer.compare(Buffer.from(expected), Buffer.from(fromWorkers)) !== 0) {
      throw new Error('the worker KDF and the one-thread KDF disagree');
    }
    if (Buffer.compare(Buffer.from(expected), Buffer.from(npmPackage(pass, salt))) !== 0) {
      throw new Error('our bcrypt_pbkdf and the npm package disagree');
    }
    timeSshKeygen();

    const native: number[] = [];
    const oneThread: number[] = [];
    const twoWorkers: number[] = [];
    const npm: number[] = [];
    for (let run = 0; run < runs; run++) {
      native.push(timeSshKeygen());
      let start = performance.now();
      bcryptPbkdf(pass, salt, ROUNDS, KEY_LENGTH);
      oneThread.push(performance.now() - start);
      start = performance.now();
      await workers(pass, salt, ROUNDS, KEY_LENGTH);
      twoWorkers.push(performance.now() - start);
      start = performance.now();
      npmPackage(pass, salt);
      npm.push(performance.now() - start);
    }
    const reference = summarize(native);
    const describeNative = `ssh-keygen -q -t ed25519 -a 24 -N pass: ${describeSummary(reference, 'ms')}`;
    const method = `bcrypt_pbkdf 48 bytes at 24 rounds in Node ${process.version}, ${runs} runs interleaved with ssh-keygen after one warm-up; ratio of medians`;
    const figure = (title: string, samples: number[]): Figure => {
      const ours = summarize(samples);
      return {
        title,
        ours: describeSummary(ours, 'ms'),
        reference: describeNative,
        ratio: ours.median / reference.median,
        ratioOfMinima: ours.min / reference.min,
        target: 'none (diagnosis for figure 1)',
        verdict: 'INFO',
        method,
      };
    };
    return [
      figure('1a. KDF alone, ours, one thread (Node)', oneThread),
      figure('1b. KDF alone, ours, two worker threads (Node, src/cli/kdf-runner.ts)', twoWorkers),
      figure('1c. KDF alone, npm bcrypt-pbkdf package, one thread (Node)', npm),
    ];
  } finally {
    await workers.terminate();
  }
}
