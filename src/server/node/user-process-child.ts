/**
 * A per-user helper process of proxy mode when the server runs as root (user-process-pool.ts).
 * It starts as root, takes on the user's groups (initgroups), gid and uid, checks it cannot get
 * root back, and only then reads a request or touches the file system: a symbolic link or a
 * directory planted by that user can never make root write elsewhere, because root no longer
 * writes. It serves that one user and that one file for its whole life.
 *
 * Protocol (user-process-protocol.ts): the start message as the one argument; then one JSON
 * request per line on stdin, answered in order, one JSON reply per line on stdout. It exits when
 * stdin ends.
 */
import { createInterface } from 'node:readline';
import { toWireKey, toWireList } from '../../api/ssh-keys.ts';
import { KeyFormatError } from '../../openssh/errors.ts';
import { createFileKeyStore } from './file-key-store.ts';
import { KeyStoreError, type KeyStore } from '../store/key-store.ts';
import {
  helperRequestSchema,
  helperStartSchema,
  type HelperReply,
  type HelperStart,
} from './user-process-protocol.ts';

function dropPrivileges(account: HelperStart['account']): void {
  if (process.getuid?.() !== 0) {
    throw new Error('The user process must start as root to drop to the user.');
  }
  // Order matters: groups and gid need root, so they go before setuid.
  // process.initgroups exists on POSIX Node but is missing from @types/node 20.
  const { initgroups } = process as NodeJS.Process & {
    initgroups?: (user: string, extraGroup: number) => void;
  };
  if (initgroups === undefined) throw new Error('process.initgroups is not available here.');
  initgroups(account.name, account.gid);
  process.setgid?.(account.gid);
  process.setuid?.(account.uid);
  if (
    process.getuid() !== account.uid ||
    process.geteuid?.() !== account.uid ||
    process.getgid?.() !== account.gid ||
    process.getegid?.() !== account.gid
  ) {
    throw new Error('Dropping privileges failed: the ids did not change.');
  }
  let regained = false;
  try {
    process.setuid?.(0);
    regained = true;
  } catch {
    // Expected: a process that gave up root cannot take it back.
  }
  if (regained) throw new Error('Dropping privileges failed: root could be regained.');
  process.env.HOME = account.home;
  process.env.USER = account.name;
  process.env.LOGNAME = account.name;
  process.chdir('/');
}

async function serve(store: KeyStore, message: unknown): Promise<unknown> {
  const request = helperRequestSchema.parse(message);
  switch (request.op) {
    // Sent as the HTTP API sends them; the parent's schemas fill the defaults back in.
    case 'list':
      return toWireList(await store.list());
    case 'add':
      return toWireKey(await store.add(request.request, new Date(request.now)));
    case 'remove':
      await store.remove(request.fingerprint);
      return null;
    default:
      return request satisfies never;
  }
}

function errorPayload(error: unknown): Extract<HelperReply, { ok: false }>['error'] {
  if (error instanceof KeyStoreError) {
    return { code: error.code, status: error.status, message: error.message };
  }
  if (error instanceof KeyFormatError) {
    return {
      code: error.code === 'private-key' ? 'private-key' : 'invalid-key',
      status: 400,
      message: error.message,
    };
  }
  if (error instanceof RangeError || error instanceof TypeError) {
    return { code: 'bad-request', status: 400, message: error.message };
  }
  process.stderr.write(`keysmith user process: ${String(error)}\n`);
  return {
    code: 'internal',
    status: 500,
    message: 'The file operation failed unexpectedly; the server log has the details.',
  };
}

/** The id of a request, to answer even a request that fails to parse; -1 without one. */
function idOf(message: unknown): number {
  if (typeof message !== 'object' || message === null || !('id' in message)) return -1;
  return typeof message.id === 'number' ? message.id : -1;
}

function main(): void {
  const start = helperStartSchema.parse(JSON.parse(process.argv[2] ?? ''));
  dropPrivileges(start.account);
  const uid = start.account.uid;
  const store = createFileKeyStore({
    path: start.path,
    home: start.account.home,
    user: start.account.name,
    uid,
  });
  const reply = (message: HelperReply) => process.stdout.write(`${JSON.stringify(message)}\n`);
  // One request at a time, in order: the parent sends the next only after the reply.
  let queue = Promise.resolve();
  createInterface({ input: process.stdin, crlfDelay: Infinity }).on('line', (line) => {
    queue = queue.then(async () => {
      let message: unknown = null;
      try {
        message = JSON.parse(line);
        reply({ id: idOf(message), uid, ok: true, result: await serve(store, message) });
      } catch (error) {
        reply({ id: idOf(message), uid, ok: false, error: errorPayload(error) });
      }
    });
  });
}

main();
