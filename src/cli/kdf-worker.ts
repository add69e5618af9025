/**
 * Worker thread body for kdf-runner.ts: one bcrypt_pbkdf block per message, so two threads
 * compute an OpenSSH key's two blocks at the same time.
 */
import { parentPort } from 'node:worker_threads';
import { answerKdfBlockRequest, type KdfBlockRequest } from '../crypto/kdf-blocks-protocol.ts';

if (parentPort === null) throw new Error('kdf-worker.ts must run as a worker thread');
const port = parentPort;
port.on('message', (request: KdfBlockRequest) => {
  port.postMessage(answerKdfBlockRequest(request));
});
