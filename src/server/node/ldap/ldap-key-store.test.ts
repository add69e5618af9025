import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Attribute, Change, InsufficientAccessError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyStoreError } from '../../store/key-store.ts';
import { makeTestKey } from '../../../testing/ssh-keygen.ts';
import {
  LDAP_BIND_DN,
  ldapConfigFor,
  startSlapd,
  type LdapTestUser,
  type RunningSlapd,
} from '../../../testing/slapd.ts';
import { createLdapKeyStore, type LdapConfig } from './ldap-key-store.ts';

let slapd: RunningSlapd;
let alice: LdapTestUser;
let bob: LdapTestUser;
let config: LdapConfig;
let keyDir: string;
let keyCount = 0;
const NOW = new Date('2026-03-01T12:00:00Z');

beforeAll(async () => {
  keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keysmith-ldap-keys-'));
  slapd = await startSlapd({
    names: ['kstore-alice', 'kstore-bob'],
    plainName: 'kstore-carol',
    firstUid: 47_200,
  });
  [alice, bob] = slapd.users as [LdapTestUser, LdapTestUser];
  config = ldapConfigFor(slapd, { timeoutMs: 5_000 });
}, 30_000);

afterAll(async () => {
  fs.rmSync(keyDir, { recursive: true, force: true });
  await slapd.stop();
});

/** A fresh ed25519 key from ssh-keygen with this comment. */
function testKey(comment: string): { publicKey: string } {
  keyCount += 1;
  return { publicKey: makeTestKey(keyDir, `k${keyCount}`, { comment }).publicLine };
}

function storeFor(user: string, overrides: Partial<LdapConfig> = {}) {
  return createLdapKeyStore({ ...config, ...overrides }, user, { now: () => NOW });
}

async function refusal(promise: Promise<unknown>): Promise<KeyStoreError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KeyStoreError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('LDAP key store', () => {
  it('adds one value: the composed line with name and date at the end of its comment', async () => {
    await slapd.replace(alice.dn, 'sshPublicKey', []);
    const key = testKey('ada@laptop');
    const store = storeFor(alice.name);
    const added = await store.add(
      {
        publicKey: key.publicKey,
        name: 'laptop',
        access: 'interactive',
        expiresAt: '2099-01-01T00:00:00Z',
        from: ['10.0.0.0/8'],
      },
      NOW,
    );
    const [type, base64] = key.publicKey.split(' ');
    expect(await slapd.values(alice.dn)).toEqual([
      `restrict,pty,from="10.0.0.0/8",expiry-time="20990101000000Z" ${type} ${base64} ada@laptop # keysmith name=laptop added=2026-03-01T12:00:00Z`,
    ]);
    expect(added).toMatchObject({
      name: 'laptop',
      comment: 'ada@laptop',
      addedAt: '2026-03-01T12:00:00Z',
      managed: true,
      access: 'interactive',
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
    const listed = await store.list();
    expect(listed.keys).toEqual([added]);
    expect(listed.path).toBe(`${alice.dn} (sshPublicKey)`);
    expect(listed).toMatchObject({ directoryCacheMinutes: 90, warnings: [] });
  });

  it('lists every value sshd would accept, also those Keysmith did not write, and deletes them', async () => {
    await slapd.replace(alice.dn, 'sshPublicKey', []);
    const plain = testKey('plain');
    const spelled = testKey('spelled');
    const twoLines = [testKey('first'), testKey('second')];
    await slapd.addValue(alice.dn, plain.publicKey);
    await slapd.addValue(alice.dn, `RESTRICT ${spelled.publicKey}`);
    await slapd.addValue(alice.dn, twoLines.map((k) => k.publicKey).join('\n'));
    await slapd.addValue(alice.dn, 'ssh-ed25519 AAAAnotakey');
    const store = storeFor(alice.name);
    const listed = await store.list();
    expect(listed.keys.map((k) => [k.comment, k.managed, k.flags.map((f) => f.code)])).toEqual([
      ['plain', false, []],
      ['spelled', false, ['option-spelling']],
      ['first', false, []],
      ['second', false, []],
    ]);
    expect(listed.ignoredLines).toHaveLength(1);

    const second = listed.keys.find((k) => k.comment === 'second');
    await store.remove(second?.fingerprint ?? '');
    // The whole value goes: a key left on it would still log in.
    expect(await slapd.values(alice.dn)).toEqual([
      plain.publicKey,
      `RESTRICT ${spelled.publicKey}`,
      'ssh-ed25519 AAAAnotakey',
    ]);
    const spelledKey = listed.keys.find((k) => k.comment === 'spelled');
    await store.remove(spelledKey?.fingerprint ?? '');
    expect(await slapd.values(alice.dn)).toEqual([plain.publicKey, 'ssh-ed25519 AAAAnotakey']);
    const missing = await refusal(store.remove(spelledKey?.fingerprint ?? ''));
    expect([missing.status, missing.code]).toEqual([404, 'not-found']);
  });

  it('refuses a key already in the entry, in any spelling', async () => {
    await slapd.replace(alice.dn, 'sshPublicKey', []);
    const key = testKey('twice');
    await slapd.addValue(alice.dn, `no-pty ${key.publicKey}`);
    const error = await refusal(storeFor(alice.name).add({ publicKey: key.publicKey }, NOW));
    expect([error.status, error.code]).toEqual([409, 'duplicate']);
    expect(await slapd.values(alice.dn)).toHaveLength(1);
  });

  it("touches only the signed-in user's entry", async () => {
    await slapd.replace(alice.dn, 'sshPublicKey', []);
    await slapd.replace(bob.dn, 'sshPublicKey', []);
    const key = testKey('bobs');
    await storeFor(bob.name).add({ publicKey: key.publicKey }, NOW);
    expect(await slapd.values(alice.dn)).toEqual([]);
    expect((await storeFor(alice.name).list()).keys).toEqual([]);
    const [bobsKey] = (await storeFor(bob.name).list()).keys;
    const error = await refusal(storeFor(alice.name).remove(bobsKey?.fingerprint ?? ''));
    expect(error.status).toBe(404);
    expect(await slapd.values(bob.dn)).toHaveLength(1);
  });

  it('keeps all 20 of 20 concurrent adds for one user (single-value modify)', async () => {
    await slapd.replace(alice.dn, 'sshPublicKey', []);
    const keys = Array.from({ length: 20 }, (_, i) => testKey(`k${i}`));
    await Promise.all(
      keys.map((key, i) =>
        storeFor(alice.name).add({ publicKey: key.publicKey, name: `k${i}` }, NOW),
      ),
    );
    const listed = await storeFor(alice.name).list();
    expect(listed.keys.map((k) => k.name).sort()).toEqual(keys.map((_, i) => `k${i}`).sort());
  });

  it('finds no entry for a name carrying a filter: the name is escaped, never filter text', async () => {
    const error = await refusal(storeFor(`${alice.name})(uid=*`).list());
    expect([error.status, error.code]).toEqual([403, 'forbidden']);
    expect(error.message).toContain('has no entry');
  });

  it('refuses to choose when the filter matches more than one entry', async () => {
    const error = await refusal(
      storeFor(alice.name, { userFilter: '(|(uid=%u)(uid=kstore-bob))' }).list(),
    );
    expect(error.status).toBe(500);
    expect(error.message).toContain('More than one directory entry');
    const three = await refusal(
      storeFor(alice.name, { userFilter: '(|(uid=%u)(uid=kstore-*))' }).list(),
    );
    expect(three.message).toContain('More than one directory entry');
  });

  it('the bind account may write the key attribute and nothing else (the README ACL)', async () => {
    const cn = new Change({
      operation: 'replace',
      modification: new Attribute({ type: 'cn', values: ['changed'] }),
    });
    await expect(
      slapd.modifyAs(LDAP_BIND_DN, slapd.bindPassword, alice.dn, cn),
    ).rejects.toBeInstanceOf(InsufficientAccessError);
  });

  it('says what to do for an entry without the key object class', async () => {
    const key = testKey('carol');
    const error = await refusal(
      storeFor(slapd.plainUser.name).add({ publicKey: key.publicKey }, NOW),
    );
    expect(error.status).toBe(500);
    expect(error.message).toContain('ldapPublicKey');
  });

  it('says to check the bind password when the directory refuses it', async () => {
    const error = await refusal(storeFor(alice.name, { bindPassword: 'wrong' }).list());
    expect(error.status).toBe(500);
    expect(error.message).toContain('--ldap-bind-password-file');
  });

  it('speaks TLS: StartTLS on ldap:// and ldaps://, the certificate checked against the CA file', async () => {
    for (const overrides of [
      { startTls: true, ca: slapd.caPem },
      { url: slapd.ldapsUrl, ca: slapd.caPem },
    ]) {
      expect((await storeFor(alice.name, overrides).list()).path).toBe(
        `${alice.dn} (sshPublicKey)`,
      );
    }
  });

  it("refuses a certificate for another name than the URL's host, also after StartTLS", async () => {
    // The test certificate is for the address 127.0.0.1 only.
    for (const overrides of [
      { url: slapd.url.replace('127.0.0.1', 'localhost'), startTls: true, ca: slapd.caPem },
      { url: slapd.ldapsUrl.replace('127.0.0.1', 'localhost'), ca: slapd.caPem },
    ]) {
      const error = await refusal(storeFor(alice.name, overrides).list());
      expect(error.status).toBe(500);
      expect(error.message).toContain('--ldap-url to the name the certificate is for');
    }
  });

  it('refuses a directory whose certificate the CA file does not vouch for, saying what to check', async () => {
    for (const overrides of [{ startTls: true }, { url: slapd.ldapsUrl }]) {
      const error = await refusal(storeFor(alice.name, overrides).list());
      expect(error.status).toBe(500);
      expect(error.message).toContain('--ldap-ca-file');
    }
  });

  it('answers 503 with Retry-After when the directory does not answer', async () => {
    const error = await refusal(storeFor(alice.name, { url: 'ldap://127.0.0.1:1' }).list());
    expect([error.status, error.code, error.retryAfterSeconds]).toEqual([503, 'busy', 5]);
  });

  it('bounds one user’s requests in flight with the admit hook', async () => {
    let inFlight = 0;
    const admit = () => {
      if (inFlight >= 1) {
        throw new KeyStoreError('too-many-requests', 429, 'Too many requests from you at once.');
      }
      inFlight += 1;
      return () => (inFlight -= 1);
    };
    const store = createLdapKeyStore(config, alice.name, { admit });
    const results = await Promise.allSettled([store.list(), store.list()]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(inFlight).toBe(0);
  });
});
