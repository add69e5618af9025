/**
 * Keys in the directory, end to end with the real programs: Keysmith (proxy mode, --store ldap)
 * writes to a private slapd, Debian's SSSD reads it, and a real sshd lets keys in through
 * `AuthorizedKeysCommand /usr/bin/sss_ssh_authorizedkeys %u`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPolicy } from '../../../api/policy.ts';
import { apiPaths, listKeysResponseSchema } from '../../../api/ssh-keys.ts';
import { httpRequest } from '../../../testing/http.ts';
import { proxyModeConfig } from '../../../testing/server-config.ts';
import { LDAP_SUFFIX, ldapConfigFor, startSlapd } from '../../../testing/slapd.ts';
import type { LdapTestUser, RunningSlapd } from '../../../testing/slapd.ts';
import { makeTestKey, type TestKey } from '../../../testing/ssh-keygen.ts';
import { startSshd, type RunningSshd } from '../../../testing/sshd.ts';
import { startSssd, type RunningSssd } from '../../../testing/sssd.ts';
import { startServer, type RunningServer } from '../node-server.ts';

let slapd: RunningSlapd | undefined;
let sssd: RunningSssd | undefined;
let sshd: RunningSshd | undefined;
let server: RunningServer | undefined;
/** The same directory behind --policy, --audit-log and --sshd-log. */
let governed: RunningServer | undefined;
let auditFile: string;
let alice: LdapTestUser;
let bob: LdapTestUser;
let keyDir: string;
let keyCount = 0;
const nsswitchBefore = fs.readFileSync('/etc/nsswitch.conf');

beforeAll(async () => {
  keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-ldap-sssd-'));
  slapd = await startSlapd({
    names: ['ksldap-alice', 'ksldap-bob'],
    plainName: 'ksldap-carol',
    firstUid: 47_300,
  });
  [alice, bob] = slapd.users as [LdapTestUser, LdapTestUser];
  sssd = await startSssd({ ldapUri: slapd.url, searchBase: LDAP_SUFFIX, probeUser: alice.name });
  sshd = await startSshd({
    logFile: path.join(keyDir, 'sshd.log'),
    authorizedKeysFile: 'none',
    extraConfig: [
      'AuthorizedKeysCommand /usr/bin/sss_ssh_authorizedkeys %u',
      'AuthorizedKeysCommandUser nobody',
    ],
  });
  const passwordFile = path.join(keyDir, 'bind-password');
  fs.writeFileSync(passwordFile, slapd.bindPassword);
  const config = proxyModeConfig({
    // Room for the 20 concurrent adds below; the bound itself is tested beside the store.
    userProcesses: { maxPerUser: 32 },
    ldap: ldapConfigFor(slapd, { timeoutMs: 10_000 }),
  });
  server = await startServer(config);
  auditFile = path.join(keyDir, 'audit.log');
  governed = await startServer({
    ...config,
    policy: toPolicy({ maxLifetimeDays: 30 }),
    auditLog: auditFile,
    sshdLog: { kind: 'file', path: path.join(keyDir, 'sshd.log') },
  });
}, 90_000);

afterAll(async () => {
  await server?.close();
  await governed?.close();
  await sshd?.stop();
  await sssd?.stop();
  await slapd?.stop();
  fs.rmSync(keyDir, { recursive: true, force: true });
  expect(fs.readFileSync('/etc/nsswitch.conf').equals(nsswitchBefore)).toBe(true);
}, 60_000);

function lastAuditLine(): unknown {
  return JSON.parse(fs.readFileSync(auditFile, 'utf8').trim().split('\n').at(-1) ?? '{}');
}

function newKey(): TestKey {
  keyCount += 1;
  return makeTestKey(keyDir, `key${keyCount}`);
}

function api(
  user: string,
  method: string,
  pathname: string,
  body?: unknown,
  to: RunningServer | undefined = server,
) {
  return httpRequest({
    port: to?.port ?? 0,
    method,
    path: pathname,
    headers: {
      'X-Forwarded-User': user,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function listKeys(user: string, to: RunningServer | undefined = server) {
  const response = await api(user, 'GET', apiPaths.sshKeys, undefined, to);
  expect(response.status).toBe(200);
  return listKeysResponseSchema.parse(JSON.parse(response.body));
}

/** ssh as `user` with `key`, asking for a terminal with -tt when `pty` is set. */
function ssh(user: string, key: TestKey, pty = false): Promise<{ ok: boolean; output: string }> {
  if (sshd === undefined) throw new Error('sshd did not start; see beforeAll');
  return sshd.tryLogin(user, key.privatePath, {
    tty: pty ? 'force' : 'none',
    command: 'tty || true',
  });
}

describe('keys in LDAP, delivered by SSSD to sshd', () => {
  it('a key added through the API is one value in the entry, passed through SSSD unchanged, and logs in', async () => {
    const key = newKey();
    const response = await api(alice.name, 'POST', apiPaths.sshKeys, {
      publicKey: key.publicLine,
      name: 'laptop',
      access: 'restricted',
    });
    expect(response.status).toBe(201);
    const values = await slapd?.values(alice.dn);
    expect(values).toHaveLength(1);
    expect(values?.[0]).toMatch(
      /^restrict ssh-ed25519 \S+ key\d+@keysmith-test # keysmith name=laptop added=\S+Z$/,
    );
    sssd?.expireCache();
    expect(sssd?.authorizedKeys(alice.name)).toBe(`${values?.[0] ?? ''}\n`);

    const login = await ssh(alice.name, key);
    expect(login.output).toContain('not a tty');
    expect(login.ok).toBe(true);
    const listed = await listKeys(alice.name);
    expect(listed.keys.map((k) => [k.fingerprint, k.name, k.managed])).toEqual([
      [key.fingerprint, 'laptop', true],
    ]);
    expect(listed.directoryCacheMinutes).toBe(90);
  });

  it('restrict holds: no terminal for a restricted key, one for an interactive key', async () => {
    const restricted = newKey();
    const interactive = newKey();
    for (const [key, access] of [
      [restricted, 'restricted'],
      [interactive, 'interactive'],
    ] as const) {
      const response = await api(bob.name, 'POST', apiPaths.sshKeys, {
        publicKey: key.publicLine,
        access,
      });
      expect(response.status).toBe(201);
    }
    sssd?.expireCache();
    const noPty = await ssh(bob.name, restricted, true);
    expect(noPty.output).toContain('PTY allocation request failed');
    const withPty = await ssh(bob.name, interactive, true);
    expect(withPty.ok).toBe(true);
    expect(withPty.output).toMatch(/\/dev\/pts\//);
  });

  it('an expired key is listed as expired and sshd refuses it', async () => {
    const key = newKey();
    await slapd?.addValue(bob.dn, `expiry-time="20200101" ${key.publicLine}`);
    sssd?.expireCache();
    const listed = await listKeys(bob.name);
    expect(listed.keys.find((k) => k.fingerprint === key.fingerprint)?.expired).toBe(true);
    expect((await ssh(bob.name, key)).ok).toBe(false);
    // sshd's auth-options.c refuses the key once its expiry-time has passed.
    expect(sshd?.log()).toContain(`Refused by key options`);
  });

  it('delete removes the value; once SSSD refreshes, sshd refuses the key', async () => {
    const key = newKey();
    expect(
      (await api(alice.name, 'POST', apiPaths.sshKeys, { publicKey: key.publicLine })).status,
    ).toBe(201);
    sssd?.expireCache();
    expect((await ssh(alice.name, key)).ok).toBe(true);

    const response = await api(alice.name, 'DELETE', apiPaths.sshKey(key.fingerprint));
    expect(response.status).toBe(204);
    const values = (await slapd?.values(alice.dn)) ?? [];
    expect(values.some((value) => value.includes(key.publicLine.split(' ')[1] ?? '?'))).toBe(false);
    // SSSD still serves what it cached: why the list says when every host sees a change.
    expect((await ssh(alice.name, key)).ok).toBe(true);
    sssd?.expireCache();
    expect((await ssh(alice.name, key)).ok).toBe(false);
  });

  it('another user sees and reaches nothing of it', async () => {
    const key = newKey();
    expect(
      (await api(alice.name, 'POST', apiPaths.sshKeys, { publicKey: key.publicLine })).status,
    ).toBe(201);
    sssd?.expireCache();
    const bobs = await listKeys(bob.name);
    expect(bobs.keys.map((k) => k.fingerprint)).not.toContain(key.fingerprint);
    expect((await api(bob.name, 'DELETE', apiPaths.sshKey(key.fingerprint))).status).toBe(404);
    expect((await ssh(bob.name, key)).ok).toBe(false);
    expect((await ssh(alice.name, key)).ok).toBe(true);
  });

  it('keeps all 20 of 20 concurrent adds for one user', async () => {
    const before = (await slapd?.values(alice.dn))?.length ?? 0;
    const keys = Array.from({ length: 20 }, () => newKey());
    const responses = await Promise.all(
      keys.map((key, i) =>
        api(alice.name, 'POST', apiPaths.sshKeys, { publicKey: key.publicLine, name: `c${i}` }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(keys.map(() => 201));
    expect((await slapd?.values(alice.dn))?.length).toBe(before + 20);
    const listed = await listKeys(alice.name);
    for (const key of keys) {
      expect(listed.keys.map((k) => k.fingerprint)).toContain(key.fingerprint);
    }
  });

  it('refuses a user name carrying a filter before it reaches the directory', async () => {
    const before = await slapd?.values(alice.dn);
    const key = newKey();
    const response = await api(`${alice.name})(uid=*`, 'POST', apiPaths.sshKeys, {
      publicKey: key.publicLine,
    });
    expect(response.status).toBe(403);
    expect(await slapd?.values(alice.dn)).toEqual(before);
  });
});

describe('policy, audit and last use work the same with the directory store', () => {
  it('refuses an add the policy forbids without touching the entry, and audits it', async () => {
    const before = await slapd?.values(bob.dn);
    const key = newKey();
    const response = await api(
      bob.name,
      'POST',
      apiPaths.sshKeys,
      { publicKey: key.publicLine },
      governed,
    );
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'policy' } });
    expect(await slapd?.values(bob.dn)).toEqual(before);
    const last = lastAuditLine();
    expect(last).toMatchObject({
      user: bob.name,
      action: 'add',
      result: 'refused',
      error: 'policy',
    });
  });

  it('audits an add and lists the login sshd logged through SSSD as its last use', async () => {
    const key = newKey();
    const expiresAt = new Date(Date.now() + 10 * 86_400_000).toISOString();
    const response = await api(
      bob.name,
      'POST',
      apiPaths.sshKeys,
      { publicKey: key.publicLine, expiresAt },
      governed,
    );
    expect(response.status).toBe(201);
    const last = lastAuditLine();
    expect(last).toMatchObject({
      user: bob.name,
      action: 'add',
      fingerprint: key.fingerprint,
      result: 'ok',
    });

    sssd?.expireCache();
    expect((await ssh(bob.name, key)).ok).toBe(true);
    // The server reads sshd's log about once a second.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const listed = await listKeys(bob.name, governed);
      const used = listed.keys.find((k) => k.fingerprint === key.fingerprint);
      if (used?.lastUsedFrom === '127.0.0.1' || Date.now() > deadline) {
        expect(used?.lastUsedFrom).toBe('127.0.0.1');
        expect(listed.lastUseTracked).toBe(true);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
});
