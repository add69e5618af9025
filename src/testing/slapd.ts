/**
 * A private OpenLDAP slapd for tests: Debian's slapd with a generated slapd.conf, an mdb
 * database and the openssh-lpk schema in a temporary directory, listening on a 127.0.0.1
 * port; a few posixAccount + ldapPublicKey users, and Keysmith's bind account with the ACL the
 * README gives (write to sshPublicKey only). Stopped and removed by `stop()`.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Attribute, Change, Client } from 'ldapts';
import type { LdapConfig } from '../server/node/ldap/ldap-key-store.ts';
import { freePort } from './free-port.ts';

export const LDAP_SUFFIX = 'dc=keysmith,dc=test';
export const LDAP_USER_BASE = `ou=people,${LDAP_SUFFIX}`;
export const LDAP_BIND_DN = `cn=keysmith,ou=services,${LDAP_SUFFIX}`;
const ADMIN_DN = `cn=admin,${LDAP_SUFFIX}`;

export interface LdapTestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  dn: string;
}

export interface RunningSlapd {
  /** `ldap://127.0.0.1:PORT`, which also takes StartTLS. */
  url: string;
  port: number;
  /** `ldaps://127.0.0.1:PORT2`, TLS from the first byte. */
  ldapsUrl: string;
  /** PEM of the test CA that signed slapd's certificate (for 127.0.0.1). */
  caPem: string;
  bindPassword: string;
  users: readonly LdapTestUser[];
  /** A user entry with posixAccount but no ldapPublicKey class. */
  plainUser: LdapTestUser;
  /** The key attribute's values of an entry, read as the directory's administrator. */
  values(dn: string, attribute?: string): Promise<string[]>;
  /** Adds one value as the administrator (a key someone else wrote). */
  addValue(dn: string, value: string, attribute?: string): Promise<void>;
  /** Replaces an attribute as the administrator. */
  replace(dn: string, attribute: string, values: string[]): Promise<void>;
  /** Binds as `bindDn` and modifies `target`: what that account may do. */
  modifyAs(bindDn: string, password: string, target: string, change: Change): Promise<void>;
  stop(): Promise<void>;
}

const SCHEMA = fileURLToPath(new URL('./ldap/openssh-lpk.schema', import.meta.url));

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A test CA and a certificate for 127.0.0.1 signed by it, made by openssl in `dir`. */
function makeCertificates(dir: string, timeout: number): void {
  const run = (args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, timeout, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Keysmith test CA',
  ]);
  run([
    'req',
    '-new',
    ...ec,
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  ]);
  run([
    ...['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key'],
    ...['-CAcreateserial', '-out', 'server.pem', '-days', '2'],
    ...['-extfile', 'san.cnf'],
  ]);
}

function slapdConf(dir: string, adminPassword: string): string {
  return [
    'include /etc/ldap/schema/core.schema',
    'include /etc/ldap/schema/cosine.schema',
    'include /etc/ldap/schema/nis.schema',
    'include /etc/ldap/schema/inetorgperson.schema',
    `include ${SCHEMA}`,
    `pidfile ${path.join(dir, 'slapd.pid')}`,
    `TLSCACertificateFile ${path.join(dir, 'ca.pem')}`,
    `TLSCertificateFile ${path.join(dir, 'server.pem')}`,
    `TLSCertificateKeyFile ${path.join(dir, 'server.key')}`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    'database mdb',
    `suffix "${LDAP_SUFFIX}"`,
    `rootdn "${ADMIN_DN}"`,
    `rootpw ${adminPassword}`,
    `directory ${path.join(dir, 'db')}`,
    'maxsize 16777216',
    // The ACL the README gives the bind account: write to the key attribute, nothing more.
    'access to attrs=userPassword',
    '  by anonymous auth',
    '  by * none',
    'access to attrs=sshPublicKey',
    `  by dn.exact="${LDAP_BIND_DN}" write`,
    '  by * read',
    'access to *',
    '  by * read',
    '',
  ].join('\n');
}

function userLdif(user: LdapTestUser, withKeys: boolean): string {
  return [
    `dn: ${user.dn}`,
    'objectClass: inetOrgPerson',
    'objectClass: posixAccount',
    ...(withKeys ? ['objectClass: ldapPublicKey'] : []),
    `uid: ${user.name}`,
    `cn: ${user.name}`,
    `sn: ${user.name}`,
    `uidNumber: ${user.uid}`,
    `gidNumber: ${user.gid}`,
    `homeDirectory: ${user.home}`,
    'loginShell: /bin/sh',
    '',
  ].join('\n');
}

/** The server's `--store ldap` settings for this directory: plain LDAP, the Keysmith account. */
export function ldapConfigFor(slapd: RunningSlapd, more: Partial<LdapConfig> = {}): LdapConfig {
  return {
    url: slapd.url,
    startTls: false,
    bindDn: LDAP_BIND_DN,
    bindPassword: slapd.bindPassword,
    userBase: LDAP_USER_BASE,
    userFilter: '(uid=%u)',
    keyAttribute: 'sshPublicKey',
    cacheMinutes: 90,
    ...more,
  };
}

/**
 * Starts slapd with `names` as users (uids from `firstUid`, homes made under the temporary
 * directory) and one more user without the ldapPublicKey class.
 */
export async function startSlapd(options: {
  names: readonly string[];
  plainName: string;
  firstUid: number;
  timeoutMs?: number;
}): Promise<RunningSlapd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-slapd-'));
  fs.mkdirSync(path.join(dir, 'db'));
  const adminPassword = `admin-${Math.random().toString(36).slice(2)}`;
  const bindPassword = `bind-${Math.random().toString(36).slice(2)}`;
  const gid = options.firstUid;
  const makeUser = (name: string, uid: number): LdapTestUser => {
    const home = path.join(dir, 'home', name);
    fs.mkdirSync(home, { recursive: true });
    fs.chownSync(home, uid, gid);
    return { name, uid, gid, home, dn: `uid=${name},${LDAP_USER_BASE}` };
  };
  const users = options.names.map((name, i) => makeUser(name, options.firstUid + 1 + i));
  const plainUser = makeUser(options.plainName, options.firstUid + 1 + users.length);
  // dir itself stays root-only: the homes need a path the users may walk.
  fs.chmodSync(dir, 0o755);

  const timeout = options.timeoutMs ?? 15_000;
  fs.writeFileSync(path.join(dir, 'san.cnf'), 'subjectAltName = IP:127.0.0.1\n');
  try {
    makeCertificates(dir, timeout);
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const conf = path.join(dir, 'slapd.conf');
  fs.writeFileSync(conf, slapdConf(dir, adminPassword), { mode: 0o600 });
  const ldif = [
    `dn: ${LDAP_SUFFIX}`,
    'objectClass: dcObject',
    'objectClass: organization',
    'dc: keysmith',
    'o: Keysmith test',
    '',
    `dn: ou=people,${LDAP_SUFFIX}`,
    'objectClass: organizationalUnit',
    'ou: people',
    '',
    `dn: ou=services,${LDAP_SUFFIX}`,
    'objectClass: organizationalUnit',
    'ou: services',
    '',
    `dn: ou=groups,${LDAP_SUFFIX}`,
    'objectClass: organizationalUnit',
    'ou: groups',
    '',
    `dn: cn=ksldap,ou=groups,${LDAP_SUFFIX}`,
    'objectClass: posixGroup',
    'cn: ksldap',
    `gidNumber: ${gid}`,
    '',
    `dn: ${LDAP_BIND_DN}`,
    'objectClass: organizationalRole',
    'objectClass: simpleSecurityObject',
    'cn: keysmith',
    `userPassword: ${bindPassword}`,
    '',
    ...users.map((user) => userLdif(user, true)),
    userLdif(plainUser, false),
  ].join('\n');
  try {
    execFileSync('/usr/sbin/slapadd', ['-q', '-f', conf], { input: ldif, timeout, stdio: 'pipe' });
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  const ldapsUrl = `ldaps://127.0.0.1:${await freePort()}`;
  // -d keeps slapd in the foreground, so the child is slapd itself.
  const child = spawn('/usr/sbin/slapd', ['-d', '0', '-f', conf, '-h', `${url}/ ${ldapsUrl}/`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeout;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`slapd did not start on ${url}:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const asAdmin = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ url, timeout: 10_000, connectTimeout: 10_000 });
    try {
      await client.bind(ADMIN_DN, adminPassword);
      return await work(client);
    } finally {
      await client.unbind();
    }
  };

  return {
    url,
    port,
    ldapsUrl,
    caPem: fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8'),
    bindPassword,
    users,
    plainUser,
    values: (dn, attribute = 'sshPublicKey') =>
      asAdmin(async (client) => {
        const { searchEntries } = await client.search(dn, {
          scope: 'base',
          attributes: [attribute],
        });
        const found = searchEntries[0]?.[attribute];
        if (found === undefined) return [];
        const list = Array.isArray(found) ? found : [found];
        return list.map((value) => (typeof value === 'string' ? value : value.toString('utf8')));
      }),
    addValue: (dn, value, attribute = 'sshPublicKey') =>
      asAdmin((client) =>
        client.modify(
          dn,
          new Change({
            operation: 'add',
            modification: new Attribute({ type: attribute, values: [value] }),
          }),
        ),
      ),
    replace: (dn, attribute, values) =>
      asAdmin((client) =>
        client.modify(
          dn,
          new Change({
            operation: 'replace',
            modification: new Attribute({ type: attribute, values }),
          }),
        ),
      ),
    modifyAs: async (bindDn, password, target, change) => {
      const client = new Client({ url, timeout: 10_000, connectTimeout: 10_000 });
      try {
        await client.bind(bindDn, password);
        await client.modify(target, change);
      } finally {
        await client.unbind();
      }
    },
    stop,
  };
}
