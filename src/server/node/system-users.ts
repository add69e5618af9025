/**
 * Accounts from the passwd database (NSS: files, LDAP, sssd alike, through `getent passwd`).
 * A user name is checked against a strict pattern before it is used anywhere.
 */
import { execFile } from 'node:child_process';

/**
 * A conservative POSIX user name (useradd's default NAME_REGEX without the trailing `$`):
 * nothing a shell, a path or an option parser could read as anything but a name.
 */
export const USER_NAME_PATTERN = /^[a-z_][a-z0-9_-]{0,31}$/;

export interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/**
 * Looks a user up in the passwd database. Resolves to null for an unknown user; rejects a name
 * that does not match USER_NAME_PATTERN with a TypeError before running anything.
 */
export function lookupAccount(name: string): Promise<Account | null> {
  if (!USER_NAME_PATTERN.test(name)) {
    return Promise.reject(new TypeError(`"${name}" is not a valid user name.`));
  }
  return new Promise((resolve, reject) => {
    execFile(
      'getent',
      ['passwd', '--', name],
      { timeout: 10_000, env: { PATH: '/usr/bin:/bin' } },
      (error, stdout) => {
        // getent exits 2 when the key is not found.
        if (error !== null) {
          if (error.code === 2) resolve(null);
          else reject(new Error(`getent passwd failed: ${error.message}`));
          return;
        }
        const fields = stdout.trim().split('\n')[0]?.split(':') ?? [];
        const [user, , uid, gid, , home] = fields;
        if (
          fields.length < 7 ||
          user !== name ||
          uid === undefined ||
          gid === undefined ||
          home === undefined ||
          !/^\d+$/.test(uid) ||
          !/^\d+$/.test(gid) ||
          !home.startsWith('/')
        ) {
          resolve(null);
          return;
        }
        resolve({ name: user, uid: Number(uid), gid: Number(gid), home });
      },
    );
  });
}
