/**
 * The server configurations the tests start: proxy mode as root behind a proxy on 127.0.0.1,
 * and local mode for one user and home, each with the users' own authorized_keys.
 */
import type { ServerConfig } from '../server/node/node-server.ts';

const common = {
  host: '127.0.0.1',
  port: 0,
  userHeader: 'X-Forwarded-User',
  authorizedKeys: '%h/.ssh/authorized_keys',
  minUid: 1000,
  staticDir: null,
} as const;

/** Proxy mode: the user named in X-Forwarded-User from 127.0.0.1, served by a helper as them. */
export function proxyModeConfig(more: Partial<ServerConfig> = {}): ServerConfig {
  return {
    ...common,
    auth: 'proxy',
    trustedProxies: ['127.0.0.1'],
    publicUrl: 'https://keys.example.org',
    ...more,
  };
}

/** Local mode: the user `ada` with this home, signed in with `token`. */
export function localModeConfig(
  token: string,
  home: string,
  more: Partial<ServerConfig> = {},
): ServerConfig {
  return { ...common, auth: 'local', trustedProxies: [], token, user: 'ada', home, ...more };
}
