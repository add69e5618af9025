/**
 * Starting one per-user helper (user-process-helper.pl) for the pool (user-process-pool.ts):
 * util-linux's setpriv takes on the account's uid, gid and supplementary groups, clears the
 * inheritable capabilities and sets no_new_privs, then runs Perl in taint mode on the helper,
 * which checks its ids again before it reads a request.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { KeyStoreError } from '../../store/key-store.ts';
import type { Account } from '../system-users.ts';
import { createReplyReader, type HelperReply } from './user-process-protocol.ts';

/** The helper beside this module: scripts/build-node.ts copies it into dist/node. */
export const HELPER_SCRIPT = fileURLToPath(new URL('./user-process-helper.pl', import.meta.url));

export type HelperChild = ChildProcessByStdio<Writable, Readable, null>;

/**
 * fsync(2)'s number in the kernel's syscall tables (arch/x86/entry/syscalls/syscall_64.tbl,
 * include/uapi/asm-generic/unistd.h); elsewhere the helper loads Perl's IO for it.
 */
const FSYNC_SYSCALL: Partial<Record<NodeJS.Architecture, number>> = { x64: 74, arm64: 82 };

/**
 * The helper's NAME=NUMBER arguments: this platform's open(2) flags and errno values, which it
 * would otherwise load Fcntl and Errno for, and fsync(2)'s syscall number where it is known.
 */
export function helperConstants(arch: NodeJS.Architecture = process.arch): string[] {
  const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_DIRECTORY } = fsConstants;
  const { ENOENT, EEXIST } = osConstants.errno;
  const values = { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_DIRECTORY, ENOENT, EEXIST };
  const fsync = FSYNC_SYSCALL[arch];
  return [
    ...Object.entries(values).map(([name, value]) => `${name}=${value}`),
    ...(fsync === undefined ? [] : [`SYS_fsync=${fsync}`]),
  ];
}

/** setpriv(1)'s arguments: the account's ids and groups, no capabilities, none to gain by exec. */
export function helperArgv(account: Account, path: string, script = HELPER_SCRIPT): string[] {
  return [
    `--reuid=${account.uid}`,
    `--regid=${account.gid}`,
    '--init-groups',
    '--inh-caps=-all',
    '--no-new-privs',
    '--',
    '/usr/bin/perl',
    '-T',
    script,
    String(account.uid),
    String(account.gid),
    account.home,
    path,
    ...helperConstants(),
  ];
}

export interface HelperEvents {
  /** A reply, or null for garbage; returns false once the helper is to be ignored. */
  reply(reply: HelperReply | null): boolean;
  /** The helper could not start, or exited; `started` is false when it never ran. */
  ended(error: KeyStoreError, started: boolean): void;
}

/** Starts the helper for `account` and `path` (as root), reporting what it does to `events`. */
export function spawnHelper(
  account: Account,
  path: string,
  script: string,
  events: HelperEvents,
): HelperChild {
  const child = spawn('/usr/bin/setpriv', helperArgv(account, path, script), {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { PATH: '/usr/bin:/bin', LANG: 'C' },
    cwd: '/',
  });
  // A helper that dies must not take the server down with EPIPE; its exit is reported below.
  child.stdin.on('error', () => undefined);
  child.on('error', (error) => {
    events.ended(
      new KeyStoreError('internal', 500, `Could not start the user process: ${error.message}`),
      child.pid !== undefined,
    );
  });
  const read = createReplyReader();
  let ignored = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (ignored) return;
    let replies: (HelperReply | null)[];
    try {
      replies = read(chunk);
    } catch {
      replies = [null];
    }
    for (const reply of replies) {
      if (!events.reply(reply)) {
        ignored = true;
        return;
      }
    }
  });
  child.on('exit', (code, signal) => {
    events.ended(
      new KeyStoreError(
        'internal',
        500,
        `The user process ended in the middle of the request (${signal ?? `exit ${code ?? 'unknown'}`}); the file is either unchanged or fully changed. List your keys to see which, then retry.`,
      ),
      true,
    );
  });
  return child;
}
