/**
 * The Node process around the platform-neutral app: picks authentication and store for the
 * mode, serves dist/web, listens. `keysmith serve` (serve-command.ts) and the tests use it.
 */
import { isIP, type AddressInfo } from 'node:net';
import os from 'node:os';
import { createAdaptorServer, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { createApp, type AppDeps, type AuthFailure } from '../http/app.ts';
import { expandAuthorizedKeysTemplate } from './file-store/authorized-keys-path.ts';
import { createFileKeyStore } from './file-store/file-key-store.ts';
import { KeyStoreError, type KeyStore } from '../store/key-store.ts';
import { createLocalAuth, generateToken, signInUrl } from '../auth/local-auth.ts';
import { createProxyAuth, normalizeAddress } from '../auth/proxy-auth.ts';
import { createOidcAuth } from '../auth/oidc-auth.ts';
import type { SessionKey } from '../auth/session-cookie.ts';
import { createStaticFiles } from './static-files.ts';
import { lookupAccount, type Account } from './system-users.ts';
import { createUserProcessKeyStore } from './user-process/user-process-store.ts';
import {
  createUserProcessPool,
  type UserProcessPool,
  type UserProcessPoolOptions,
} from './user-process/user-process-pool.ts';
import { openAuditLog } from './audit-log.ts';
import { createLdapKeyStore, type LdapConfig } from './ldap/ldap-key-store.ts';
import { createRequestLimit } from './ldap/ldap-request-limit.ts';
import { startSshdLog, type SshdLogSource } from './sshd-log/sshd-log.ts';
import type { Policy } from '../../api/policy.ts';
import { toWireList } from '../../api/ssh-keys.ts';

export interface ServerConfig {
  host: string;
  /** 0 picks a free port. */
  port: number;
  auth: 'local' | 'proxy' | 'oidc';
  userHeader: string;
  trustedProxies: readonly string[];
  /** sshd-style template: `%h`, `%u`, `%%`. */
  authorizedKeys: string;
  /** Proxy mode: lowest uid served (system accounts are below it). */
  minUid: number;
  /** The built web app, or null to serve the API only. */
  staticDir: string | null;
  /** Local mode: the sign-in token (random when absent). */
  token?: string;
  /** Origins the page may call besides its own (CSP connect-src): `--seqera-api`. */
  connectSources?: readonly string[];
  /** Proxy mode, required: the origin people open Keysmith at (`--public-url`). */
  publicUrl?: string;
  /** OIDC mode, required: the provider, the client and the session key (`--oidc-*`). */
  oidc?: OidcConfig;
  /** Local mode: the user and home to serve (default: this process's user and $HOME). */
  user?: string;
  home?: string;
  /** Proxy mode as root: bounds of the per-user helper processes (`--max-user-processes` …). */
  userProcesses?: Partial<UserProcessPoolOptions>;
  /** Where to append the audit trail, one JSON line per change: a file, or `-` for stdout. */
  auditLog?: string;
  /** `--store ldap`: keys in each user's directory entry instead of authorized_keys files. */
  ldap?: LdapConfig;
  /** The site's limits on added keys (`--policy`). */
  policy?: Policy;
  /** Where sshd logs its logins (`--sshd-log`), read by this process for `lastUsedAt`. */
  sshdLog?: SshdLogSource;
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The claim naming the local user, and the one e-mail domain to strip from it. */
  userClaim: string;
  stripDomain?: string;
  sessionKey: SessionKey;
  sessionHours: number;
}

export interface RunningServer {
  /** `http://host:port` as listened on. */
  origin: string;
  port: number;
  /** Local mode: the user served and the URL to open (the token in its fragment). */
  user: string | null;
  token: string | null;
  signInUrl: string | null;
  close(): Promise<void>;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Proxy-mode account checks: known, not root, not a system account, servable by this process. */
async function findServableAccount(
  user: string,
  minUid: number,
  storeRunsAsUser = true,
): Promise<{ account: Account } | AuthFailure> {
  let account: Account | null;
  try {
    account = await lookupAccount(user);
  } catch {
    account = null;
  }
  if (account === null) {
    return {
      status: 403,
      code: 'forbidden',
      message: `There is no local account "${user}" on this server. Ask your administrator to create it.`,
    };
  }
  // 65534 is nobody: above any minimum, yet nobody's keys are never anyone's to manage.
  if (account.uid === 0 || account.uid < minUid || account.uid === 65_534) {
    return {
      status: 403,
      code: 'forbidden',
      message: `Keysmith does not manage keys of root or system accounts (uid below ${minUid}).`,
    };
  }
  const self = process.getuid?.() ?? 0;
  if (storeRunsAsUser && self !== 0 && self !== account.uid) {
    return {
      status: 403,
      code: 'forbidden',
      message: `This Keysmith runs as uid ${self} and can manage only that account's keys. Ask your administrator to run it as root for several users.`,
    };
  }
  return { account };
}

function proxyStore(
  user: string,
  config: ServerConfig,
  pool: UserProcessPool,
  admit: (user: string) => () => void,
): KeyStore {
  const resolve = async (): Promise<KeyStore> => {
    const found = await findServableAccount(user, config.minUid, config.ldap === undefined);
    if ('status' in found) throw new KeyStoreError(found.code, found.status, found.message);
    const { account } = found;
    // The directory store touches no home file, so it runs here, as the server.
    if (config.ldap !== undefined) return createLdapKeyStore(config.ldap, account.name, { admit });
    const path = expandAuthorizedKeysTemplate(config.authorizedKeys, account);
    // As root, every file operation runs in a child that has become the user.
    if ((process.getuid?.() ?? 0) === 0) return createUserProcessKeyStore(pool, account, path);
    return createFileKeyStore({ path, home: account.home, user: account.name, uid: account.uid });
  };
  return {
    list: async () => (await resolve()).list(),
    // The file stores send the body made once per file content; the directory store has none.
    listBody: async () => {
      const store = await resolve();
      if (store.listBody !== undefined) return store.listBody();
      return new TextEncoder().encode(JSON.stringify(toWireList(await store.list())));
    },
    add: async (request, now) => (await resolve()).add(request, now),
    remove: async (fingerprint) => (await resolve()).remove(fingerprint),
  };
}

/** Starts Keysmith's HTTP server; resolves once it listens. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  let listeningPort = config.port;
  const remote = new WeakMap<Request, string>();
  const staticFiles = config.staticDir === null ? undefined : createStaticFiles(config.staticDir);
  // Starts no process until a proxy-mode request needs one.
  const pool = createUserProcessPool(config.userProcesses);
  const admit = createRequestLimit(config.userProcesses?.maxPerUser ?? 4);

  let deps: AppDeps;
  let localInfo: { user: string; token: string } | null = null;
  if (config.auth === 'local') {
    const user = config.user ?? os.userInfo().username;
    const home = config.home ?? process.env.HOME ?? os.homedir();
    const token = config.token ?? generateToken();
    const path = expandAuthorizedKeysTemplate(config.authorizedKeys, { name: user, home });
    const store =
      config.ldap === undefined
        ? createFileKeyStore({ path, home, user })
        : createLdapKeyStore(config.ldap, user, { admit });
    const auth = createLocalAuth({ token, user, port: () => listeningPort });
    localInfo = { user, token };
    deps = {
      authenticate: (request) => auth.authenticate(request),
      pageGate: (request) => auth.pageGate(request),
      // Loopback only: a load balancer never reaches it, and DNS rebinding must not either.
      healthGate: (request) => auth.pageGate(request),
      storeFor: () => store,
      now: () => new Date(),
      ...(staticFiles === undefined ? {} : { staticFiles }),
    };
  } else if (config.auth === 'oidc') {
    if (config.publicUrl === undefined || config.oidc === undefined) {
      throw new TypeError('OIDC mode needs publicUrl and oidc (issuer, client, session key).');
    }
    const { oidc } = config;
    const auth = createOidcAuth({
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      clientSecret: oidc.clientSecret,
      claim: oidc.userClaim,
      ...(oidc.stripDomain === undefined ? {} : { stripDomain: oidc.stripDomain }),
      publicOrigin: config.publicUrl,
      sessionKey: oidc.sessionKey,
      sessionHours: oidc.sessionHours,
      checkUser: async (user) => {
        const found = await findServableAccount(user, config.minUid, config.ldap === undefined);
        return 'status' in found ? found : null;
      },
      now: () => new Date(),
    });
    deps = {
      authenticate: (request) => auth.authenticate(request),
      pageGate: (request) => auth.pageGate(request),
      storeFor: (user) => proxyStore(user, config, pool, admit),
      now: () => new Date(),
      ...(staticFiles === undefined ? {} : { staticFiles }),
    };
  } else {
    if (config.publicUrl === undefined) {
      throw new TypeError('Proxy mode needs publicUrl, the origin people open Keysmith at.');
    }
    const authenticate = createProxyAuth({
      publicOrigin: config.publicUrl,
      userHeader: config.userHeader,
      trustedProxies: config.trustedProxies,
      remoteAddress: (request) => remote.get(request),
      checkUser: async (user) => {
        const found = await findServableAccount(user, config.minUid, config.ldap === undefined);
        return 'status' in found ? found : null;
      },
    });
    const trusted = new Set(config.trustedProxies.map(normalizeAddress));
    deps = {
      authenticate,
      // The pages too are only for the proxy's clients: anyone else is sent away.
      pageGate: (request) => {
        const peer = remote.get(request);
        return peer !== undefined && trusted.has(normalizeAddress(peer))
          ? null
          : new Response('Open Keysmith through its sign-in proxy.\n', {
              status: 403,
              headers: { 'Content-Type': 'text/plain; charset=utf-8' },
            });
      },
      storeFor: (user) => proxyStore(user, config, pool, admit),
      now: () => new Date(),
      ...(staticFiles === undefined ? {} : { staticFiles }),
    };
  }

  const auditLog = config.auditLog === undefined ? null : openAuditLog(config.auditLog);
  const trustedPeers = new Set(
    config.auth === 'proxy' ? config.trustedProxies.map(normalizeAddress) : [],
  );
  const clientAddress = (request: Request): string | null => {
    const peer = remote.get(request);
    if (peer === undefined) return null;
    if (!trustedPeers.has(normalizeAddress(peer))) return normalizeAddress(peer);
    // The proxy appends the address it saw; the first entry is the client as the proxy has it.
    const forwarded = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() ?? '';
    return isIP(forwarded) === 0 ? normalizeAddress(peer) : normalizeAddress(forwarded);
  };
  // Read here, in the parent: in proxy and OIDC modes the helpers never see the log.
  const sshdLog = config.sshdLog === undefined ? null : startSshdLog(config.sshdLog);
  const app = createApp({
    ...deps,
    connectSources: config.connectSources ?? [],
    clientAddress,
    ...(config.policy === undefined ? {} : { policy: config.policy }),
    ...(sshdLog === null ? {} : { lastUse: (user: string) => sshdLog.forUser(user) }),
    ...(auditLog === null ? {} : { audit: (event) => auditLog.write(event) }),
  });
  const server = createAdaptorServer({
    fetch: (request: Request, env: HttpBindings | Http2Bindings) => {
      const address = env.incoming.socket.remoteAddress;
      if (address !== undefined) remote.set(request, address);
      return app.fetch(request, env);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  listeningPort = (server.address() as AddressInfo).port;
  const origin = `http://${urlHost(config.host)}:${listeningPort}`;
  return {
    origin,
    port: listeningPort,
    user: localInfo?.user ?? null,
    token: localInfo?.token ?? null,
    signInUrl: localInfo === null ? null : signInUrl(origin, localInfo.token),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          auditLog?.close();
          void sshdLog?.close();
          void pool.close().then(resolve);
        });
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
