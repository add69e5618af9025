/**
 * Worker thread body for kdf-runner.ts: computes one bcrypt_pbkdf block per message, so two
 * workers can compute an OpenSSH key's two blocks at the same time.
 */
import { parentPort } from 'node:worker_threads';
import { bcryptPbkdfBlock } from '../crypto/bcrypt-pbkdf.ts';

export interface KdfJob {
  id: number;
  pass: Uint8Array;
  salt: Uint8Array;
  rounds: number;
  block: number;
}

export type KdfReply = { id: number; block: Uint8Array } | { id: number; error: string };

if (parentPort === null) throw new Error('kdf-worker.ts must run as a worker thread');
const port = parentPort;
port.on('message', (job: KdfJob) => {
  let reply: KdfReply;
  try {
    reply = { id: job.id, block: bcryptPbkdfBlock(job.pass, job.salt, job.rounds, job.block) };
  } catch (error) {
    reply = { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
