/**
 * Accounts from the passwd database (NSS: files, LDAP, sssd alike, through `getent passwd`).
 * A user name is checked against a strict pattern before it is used anywhere.
 */
import { execFile } from 'node:child_process';

/**
 * A user name as sites have them (`jane.doe` from Active Directory through SSSD, `J_Smith`)
 * that is still safe as one path component (`%u`) and as an argument: POSIX's portable
 * filename characters (IEEE 1003.1 §3.282), no leading `.` or `-` (so never `.`, `..` or an
 * option), not all digits (getent would read a uid), at most 64 characters. The passwd database
 * decides whether the account exists.
 */
export const USER_NAME_PATTERN = /^(?![0-9]+$)[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

/** USER_NAME_PATTERN in words, for messages. */
export const USER_NAME_RULE =
  'letters, digits, ".", "_" and "-", at most 64, not starting with "." or "-" and not all digits';

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
