/**
 * `from=` lists the API refuses are those with which a real sshd lets no one in, or that carry
 * a range sshd cannot read: each list is written straight into authorized_keys and tried with a
 * login from 127.0.0.1, then offered to the API's schema.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyRequestSchema } from './ssh-keys.ts';
import { makeTestKey, type TestKey } from '../testing/ssh-keygen.ts';
import {
  ensureTestUser,
  makeTestDir,
  resetSshDir,
  startSshd,
  type RunningSshd,
  type TestUser,
} from '../testing/sshd.ts';

let user: TestUser;
let keysDir: string;
let sshd: RunningSshd;
let key: TestKey;

function writeAuthorizedKeys(line: string) {
  resetSshDir(user);
  const file = path.join(user.home, '.ssh', 'authorized_keys');
  fs.mkdirSync(path.dirname(file), { mode: 0o700 });
  fs.writeFileSync(file, `${line}\n`, { mode: 0o600 });
  fs.chownSync(path.dirname(file), user.uid, user.gid);
  fs.chownSync(file, user.uid, user.gid);
}

/** What the API says about the list: null when it takes it, else its messages. */
function apiRefusal(from: string[]): string | null {
  const parsed = createKeyRequestSchema.safeParse({ publicKey: key.publicLine, from });
  return parsed.success ? null : parsed.error.issues.map((issue) => issue.message).join(' ');
}

beforeAll(async () => {
  user = ensureTestUser('keysmith-f1');
  keysDir = makeTestDir('from');
  fs.chmodSync(keysDir, 0o700);
  key = makeTestKey(keysDir, 'k');
  sshd = await startSshd();
});

afterAll(async () => {
  await sshd.stop();
  fs.rmSync(keysDir, { recursive: true, force: true });
  resetSshDir(user);
});

describe('from= lists, by a real sshd and by the API', () => {
  const cases: { from: string[]; sshdLetsIn: boolean; api: RegExp | null }[] = [
    { from: ['127.0.0.0/8'], sshdLetsIn: true, api: null },
    { from: ['127.0.0.0/8', '!127.0.0.2'], sshdLetsIn: true, api: null },
    {
      from: ['127.0.0.1/8'],
      sshdLetsIn: false,
      api: /"127\.0\.0\.1\/8" has address bits set after its \/8 prefix, .* use 127\.0\.0\.0\/8\./,
    },
    // One unreadable range spoils the whole list, even after a pattern that matched.
    { from: ['127.0.0.1', '::1/64'], sshdLetsIn: false, api: /use ::\/64\./ },
    { from: ['127.0.0.0/33'], sshdLetsIn: false, api: /longer than the 32 bits/ },
    { from: ['!127.0.0.2'], sshdLetsIn: false, api: /only exclusions .* add the addresses/ },
    // Past 128 sshd reads a wildcard that matches no address; the next pattern still lets in.
    { from: ['127.0.0.1/129', '127.0.0.1'], sshdLetsIn: true, api: /is not an address range/ },
  ];
  for (const { from, sshdLetsIn, api } of cases) {
    it(`from="${from.join(',')}"`, async () => {
      writeAuthorizedKeys(`from="${from.join(',')}" ${key.publicLine}`);
      const login = await sshd.tryLogin(user.name, key.privatePath);
      expect(login.ok, `${login.output}\n${sshd.log().slice(-1000)}`).toBe(sshdLetsIn);
      const refusal = apiRefusal(from);
      if (api === null) expect(refusal).toBeNull();
      else expect(refusal).toMatch(api);
    });
  }
});
