/**
 * Proxy mode as root: a KeyStore whose every operation runs in the user's helper process of a
 * pool (user-process-pool.ts), which has dropped to the user's uid, gid and supplementary
 * groups. Root never opens a file in a user's home.
 */
import { listKeysResponseSchema, sshKeySchema, type CreateKeyRequest } from '../../api/ssh-keys.ts';
import type { KeyStore } from '../store/key-store.ts';
import type { Account } from './system-users.ts';
import { createUserProcessPool, type UserProcessPool } from './user-process-pool.ts';

/** A KeyStore for `account` whose file work runs as that account in its helper of `pool`. */
export function createUserProcessKeyStore(
  pool: UserProcessPool,
  account: Account,
  path: string,
): KeyStore {
  return {
    list: async () =>
      listKeysResponseSchema.parse((await pool.run(account, path, { op: 'list' })).result),
    add: async (request, now) =>
      sshKeySchema.parse(
        (await pool.run(account, path, { op: 'add', request, now: now.toISOString() })).result,
      ),
    remove: async (fingerprint) => {
      await pool.run(account, path, { op: 'remove', fingerprint });
    },
  };
}

/** One request in a helper of its own, which then exits: for tests of the privilege drop. */
export type ChildRequest =
  | { op: 'list'; account: Account; path: string }
  | { op: 'add'; account: Account; path: string; request: CreateKeyRequest; now: string }
  | { op: 'remove'; account: Account; path: string; fingerprint: string };

/** Runs one request in a fresh privilege-dropped helper and returns its result. */
export async function runInUserProcess(request: ChildRequest): Promise<unknown> {
  const pool = createUserProcessPool({ maxProcesses: 1 });
  try {
    const { account, path, ...operation } = request;
    return (await pool.run(account, path, operation)).result;
  } finally {
    await pool.close();
  }
}
