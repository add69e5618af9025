/**
 * Starting one per-user helper (user-process-helper.pl) for the pool (user-process-pool.ts):
 * util-linux's setpriv takes on the account's uid, gid and supplementary groups, clears the
 * inheritable capabilities and sets no_new_privs, then runs Perl in taint mode on the helper,
 * which checks its ids again before it reads a request.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { KeyStoreError } from '../store/key-store.ts';
import type { Account } from './system-users.ts';
import { createReplyReader, type HelperReply } from './user-process-protocol.ts';

/** The helper beside this module: scripts/build-node.ts copies it into dist/node. */
export const HELPER_SCRIPT = fileURLToPath(new URL('./user-process-helper.pl', import.meta.url));

export type HelperChild = ChildProcessByStdio<Writable, Readable, null>;

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
