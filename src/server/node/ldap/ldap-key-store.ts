/**
 * A KeyStore over the signed-in user's own directory entry (`--store ldap`): the key attribute
 * of the one entry that the user filter finds under the user base. SSSD hands the values to
 * sshd on every host (`AuthorizedKeysCommand /usr/bin/sss_ssh_authorizedkeys %u`).
 *
 * Every change is a single-value LDAP modify (RFC 4511 §4.6: add or delete of one value), never
 * a rewrite of the attribute, so two writers never lose each other's keys.
 */
import { isIP } from 'node:net';
import { Attribute, Change, Client, type Entry } from 'ldapts';
import { KeyStoreError, type KeyStore } from '../../store/key-store.ts';
import { ldapError } from './ldap-errors.ts';
import { userFilter } from './ldap-filter.ts';
import {
  composeDirectoryValue,
  listDirectoryKeys,
  readDirectoryValues,
  refuseDuplicate,
  valuesHolding,
  type DirectoryModel,
} from './ldap-values.ts';

export interface LdapConfig {
  /** `ldaps://host[:port]` or `ldap://host[:port]`. */
  url: string;
  /** Upgrade an `ldap://` connection with StartTLS (RFC 4511 §4.14) before binding. */
  startTls: boolean;
  bindDn: string;
  bindPassword: string;
  /** Where user entries are searched (scope sub). */
  userBase: string;
  /** RFC 4515 filter with `%u` for the escaped user name. */
  userFilter: string;
  /** `sshPublicKey` (openssh-lpk) or `ipaSshPubKey` (FreeIPA). */
  keyAttribute: string;
  /** PEM of the CA that signed the directory's certificate (default: Node's CAs). */
  ca?: string;
  /** How long SSSD may serve a host the keys it fetched before (`--directory-cache-minutes`). */
  cacheMinutes: number;
  /** Per-operation and connect timeout (default 10 s). */
  timeoutMs?: number;
}

/** One connection for one request: TLS as configured, bound as the Keysmith account. */
async function withDirectory<T>(
  config: LdapConfig,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const timeout = config.timeoutMs ?? 10_000;
  const tlsOptions = {
    ...(config.ca === undefined ? {} : { ca: config.ca }),
    minVersion: 'TLSv1.2' as const,
  };
  // ldapts speaks TLS from the first byte whenever tlsOptions are given: only for ldaps://.
  const ldaps = config.url.toLowerCase().startsWith('ldaps:');
  const client = new Client({
    url: config.url,
    timeout,
    connectTimeout: timeout,
    ...(ldaps ? { tlsOptions } : {}),
  });
  try {
    if (config.startTls) {
      // ldapts upgrades the socket without the host, so Node would check the certificate
      // against "localhost": name the directory's host (and send SNI unless it is an address).
      const host = new URL(config.url).hostname.replace(/^\[|\]$/g, '');
      await client.startTLS({
        ...tlsOptions,
        host,
        ...(isIP(host) === 0 ? { servername: host } : {}),
      });
    }
    await client.bind(config.bindDn, config.bindPassword);
    return await work(client);
  } catch (error) {
    throw ldapError(error, config);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** The user's entry: exactly one match of the escaped filter under the user base. */
async function findEntry(client: Client, config: LdapConfig, user: string): Promise<Entry> {
  const tooMany = () =>
    new KeyStoreError(
      'internal',
      500,
      `More than one directory entry matches "${user}" under ${config.userBase}; Keysmith changes none of them. Ask your administrator to make --ldap-user-filter match one entry per user.`,
    );
  // Two are enough to refuse; ldapts answers the entries read when the size limit ends it.
  const { searchEntries } = await client.search(config.userBase, {
    scope: 'sub',
    filter: userFilter(config.userFilter, user),
    attributes: [config.keyAttribute],
    explicitBufferAttributes: [config.keyAttribute],
    sizeLimit: 2,
  });
  const [entry, ...more] = searchEntries;
  if (entry === undefined) {
    throw new KeyStoreError(
      'forbidden',
      403,
      `The directory has no entry for "${user}" under ${config.userBase}. Ask your administrator to check --ldap-user-base and --ldap-user-filter.`,
    );
  }
  if (more.length > 0) throw tooMany();
  return entry;
}

/** The raw values of the key attribute (exact bytes, for deleting exactly them). */
function rawValues(entry: Entry, attribute: string): Buffer[] {
  const found = Object.entries(entry).find(
    ([name]) => name.toLowerCase() === attribute.toLowerCase(),
  );
  const values = found?.[1];
  if (values === undefined) return [];
  const list = Array.isArray(values) ? values : [values];
  return list.map((value) => (typeof value === 'string' ? Buffer.from(value, 'utf8') : value));
}

function readEntry(entry: Entry, attribute: string): { raw: Buffer[]; model: DirectoryModel } {
  const raw = rawValues(entry, attribute);
  return { raw, model: readDirectoryValues(raw.map((value) => value.toString('utf8'))) };
}

/**
 * Creates the store for one user. `admit` bounds the user's requests in flight (the same
 * `--max-requests-per-user` as the helper pool); it returns a release function or throws 429.
 */
export function createLdapKeyStore(
  config: LdapConfig,
  user: string,
  options: { now?: () => Date; admit?: (user: string) => () => void } = {},
): KeyStore {
  const now = options.now ?? (() => new Date());
  const admitted = async <T>(work: () => Promise<T>): Promise<T> => {
    const release = options.admit?.(user) ?? (() => undefined);
    try {
      return await work();
    } finally {
      release();
    }
  };

  const list = () =>
    admitted(() =>
      withDirectory(config, async (client) => {
        const entry = await findEntry(client, config, user);
        const { model } = readEntry(entry, config.keyAttribute);
        return {
          keys: listDirectoryKeys(model, now()),
          ignoredLines: [...model.ignoredLines],
          warnings: [],
          path: `${entry.dn} (${config.keyAttribute})`,
          directoryCacheMinutes: config.cacheMinutes,
        };
      }),
    );

  return {
    list,
    add: (request, at) =>
      admitted(() =>
        withDirectory(config, async (client) => {
          const composed = composeDirectoryValue(request, at);
          const entry = await findEntry(client, config, user);
          refuseDuplicate(
            readEntry(entry, config.keyAttribute).model,
            composed.blob,
            config.keyAttribute,
          );
          await client.modify(
            entry.dn,
            new Change({
              operation: 'add',
              modification: new Attribute({ type: config.keyAttribute, values: [composed.value] }),
            }),
          );
          return composed.key;
        }),
      ),
    remove: (fingerprint) =>
      admitted(() =>
        withDirectory(config, async (client) => {
          const entry = await findEntry(client, config, user);
          const { raw, model } = readEntry(entry, config.keyAttribute);
          const values = valuesHolding(model, fingerprint).flatMap((index) => raw[index] ?? []);
          // One modify with one delete per value: another writer's values are never touched.
          await client.modify(
            entry.dn,
            values.map(
              (value) =>
                new Change({
                  operation: 'delete',
                  modification: new Attribute({ type: config.keyAttribute, values: [value] }),
                }),
            ),
          );
        }),
      ),
  };
}
