/**
 * The child process that does one file operation for one user in proxy mode when the server
 * runs as root. It starts as root, takes on the user's groups (initgroups), gid and uid, checks
 * it cannot get root back, and only then touches the file system: a symbolic link or a directory
 * planted by that user can never make root write elsewhere, because root no longer writes.
 *
 * Protocol: one JSON request on stdin, one JSON reply on stdout (see user-process-store.ts).
 */
import { z } from 'zod';
import { createKeyRequestSchema, toWireKey, toWireList } from '../../api/ssh-keys.ts';
import { KeyFormatError } from '../../openssh/errors.ts';
import { createFileKeyStore } from './file-key-store.ts';
import { KeyStoreError } from '../store/key-store.ts';
import { USER_NAME_PATTERN } from './system-users.ts';

const accountSchema = z.strictObject({
  name: z.string().regex(USER_NAME_PATTERN),
  uid: z.number().int().min(1),
  gid: z.number().int().min(0),
  home: z.string().startsWith('/'),
});

export const childRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('list'),
    account: accountSchema,
    path: z.string().startsWith('/'),
  }),
  z.strictObject({
    op: z.literal('add'),
    account: accountSchema,
    path: z.string().startsWith('/'),
    request: createKeyRequestSchema,
    now: z.iso.datetime(),
  }),
  z.strictObject({
    op: z.literal('remove'),
    account: accountSchema,
    path: z.string().startsWith('/'),
    fingerprint: z.string(),
  }),
]);
export type ChildRequest = z.input<typeof childRequestSchema>;

function dropPrivileges(account: z.infer<typeof accountSchema>): void {
  if (process.getuid?.() !== 0) {
    throw new Error('The user-process child must start as root to drop to the user.');
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

async function run(input: string): Promise<unknown> {
  const request = childRequestSchema.parse(JSON.parse(input));
  dropPrivileges(request.account);
  const store = createFileKeyStore({
    path: request.path,
    home: request.account.home,
    user: request.account.name,
    uid: request.account.uid,
  });
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

function errorPayload(error: unknown): { code: string; status: number; message: string } {
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

const chunks: Buffer[] = [];
process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
process.stdin.on('end', () => {
  run(Buffer.concat(chunks).toString('utf8')).then(
    (result) => {
      process.stdout.write(JSON.stringify({ ok: true, result }));
    },
    (error: unknown) => {
      process.stdout.write(JSON.stringify({ ok: false, error: errorPayload(error) }));
    },
  );
});
