import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sshKeygen } from '../../../testing/ssh-keygen.ts';
import {
  credentialsRequestBody,
  credentialsUrl,
  privateKeyPreview,
  SEQERA_NAME_PATTERN,
  seqeraCredentialName,
  seqeraKeyDays,
  seqeraKeysOf,
  sshAddListLine,
  twCredentialsCommand,
} from './seqera.ts';

describe('seqeraKeysOf', () => {
  it("finds the user's keys named as the flow names them, newest first", () => {
    const key = (name: string | null, addedAt: string | null) => ({ name, addedAt });
    const keys = [
      key('seqera-ada', '2026-01-01T00:00:00Z'),
      key('seqera-ada-2', '2026-03-01T00:00:00Z'),
      key('seqera-ada-x', '2026-04-01T00:00:00Z'),
      key('seqera-ada-1', '2026-04-01T00:00:00Z'),
      key('seqera-adam', '2026-04-01T00:00:00Z'),
      key('laptop', '2026-04-01T00:00:00Z'),
      key(null, null),
    ];
    expect(seqeraKeysOf(keys, 'ada').map((k) => k.name)).toEqual(['seqera-ada-2', 'seqera-ada']);
    expect(seqeraKeysOf([key('seqera-jane-doe', null)], 'jane.doe')).toHaveLength(1);
  });
});

describe('seqeraKeyDays', () => {
  it("is 90 days, or the site's maximum when shorter", () => {
    expect(seqeraKeyDays(null)).toBe(90);
    expect(seqeraKeyDays(365)).toBe(90);
    expect(seqeraKeyDays(90)).toBe(90);
    expect(seqeraKeyDays(30)).toBe(30);
  });
});

describe('seqeraCredentialName', () => {
  it('is seqera-<user>, with other characters turned into "-"', () => {
    expect(seqeraCredentialName('ada')).toBe('seqera-ada');
    expect(seqeraCredentialName('jane.doe@EXAMPLE.org')).toBe('seqera-jane-doe-EXAMPLE-org');
    expect(seqeraCredentialName('a_b-c')).toBe('seqera-a_b-c');
    expect(seqeraCredentialName('..')).toBe('seqera');
    expect(seqeraCredentialName('')).toBe('seqera');
    expect(seqeraCredentialName('ünï côdé')).toBe('seqera-n-c-d');
  });

  it('avoids names already taken, and stays within 100 characters', () => {
    expect(seqeraCredentialName('ada', new Set(['seqera-ada']))).toBe('seqera-ada-2');
    expect(seqeraCredentialName('ada', new Set(['seqera-ada', 'seqera-ada-2']))).toBe(
      'seqera-ada-3',
    );
    const long = 'x'.repeat(150);
    expect(seqeraCredentialName(long)).toHaveLength(100);
    const taken = new Set([seqeraCredentialName(long)]);
    expect(seqeraCredentialName(long, taken)).toHaveLength(100);
    expect(seqeraCredentialName(long, taken).endsWith('-2')).toBe(true);
  });

  it("always matches Seqera's rule, whatever the user name", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 300, unit: 'binary' }),
        fc.array(fc.string()),
        (user, taken) => {
          const name = seqeraCredentialName(user, new Set(taken));
          expect(name).toMatch(SEQERA_NAME_PATTERN);
          expect(taken).not.toContain(name);
        },
      ),
    );
  });
});

describe('twCredentialsCommand', () => {
  it('asks for the passphrase with -p only when the key has one', () => {
    expect(twCredentialsCommand('seqera-ada', true)).toBe(
      'tw credentials add ssh -n seqera-ada -k ~/.ssh/seqera-ada -p',
    );
    expect(twCredentialsCommand('seqera-ada', false)).toBe(
      'tw credentials add ssh -n seqera-ada -k ~/.ssh/seqera-ada',
    );
  });

  it('refuses a name that would need shell quoting', () => {
    expect(() => twCredentialsCommand('a b', false)).toThrow(RangeError);
    expect(() => twCredentialsCommand('x;rm -rf ~', false)).toThrow(/Seqera's rule/);
    expect(() => twCredentialsCommand('', false)).toThrow(RangeError);
  });

  it('is split by a real shell into exactly the words tw takes', () => {
    const argv = execFileSync(
      'bash',
      ['-c', `set -- ${twCredentialsCommand('seqera_1-x', true)}; printf '%s\\n' "$@"`],
      { env: { HOME: '/home/ada', PATH: process.env.PATH ?? '/usr/bin:/bin' } },
    )
      .toString()
      .trimEnd()
      .split('\n');
    expect(argv).toEqual([
      'tw',
      'credentials',
      'add',
      'ssh',
      '-n',
      'seqera_1-x',
      '-k',
      '/home/ada/.ssh/seqera_1-x',
      '-p',
    ]);
  });
});

describe('credentialsRequestBody', () => {
  const { privateKey } = sshKeygen('ed25519', 'seqera-ada');

  it("is Seqera's CreateCredentials body, with the whole private key file", () => {
    const body = JSON.parse(
      credentialsRequestBody({ name: 'seqera-ada', privateKey, passphrase: 'pässwörd "x"' }),
    ) as unknown;
    expect(body).toEqual({
      credentials: {
        name: 'seqera-ada',
        provider: 'ssh',
        keys: { privateKey, passphrase: 'pässwörd "x"' },
      },
    });
    expect(privateKey.startsWith('-----BEGIN OPENSSH PRIVATE KEY-----\n')).toBe(true);
    expect(privateKey.endsWith('-----END OPENSSH PRIVATE KEY-----\n')).toBe(true);
  });

  it('leaves the passphrase out for a key without one', () => {
    const body = JSON.parse(
      credentialsRequestBody({ name: 'seqera-ada', privateKey, passphrase: '' }),
    ) as { credentials: { keys: object } };
    expect(body.credentials.keys).toEqual({ privateKey });
  });

  it('refuses a name Seqera would refuse', () => {
    expect(() =>
      credentialsRequestBody({ name: 'a'.repeat(101), privateKey, passphrase: '' }),
    ).toThrow(RangeError);
  });
});

describe('credentialsUrl', () => {
  it('adds workspaceId only when given, and keeps an API path', () => {
    expect(credentialsUrl('https://api.cloud.seqera.io', '')).toBe(
      'https://api.cloud.seqera.io/credentials',
    );
    expect(credentialsUrl('https://api.cloud.seqera.io/', '123456')).toBe(
      'https://api.cloud.seqera.io/credentials?workspaceId=123456',
    );
    expect(credentialsUrl('https://seqera.example.org/api/', '7')).toBe(
      'https://seqera.example.org/api/credentials?workspaceId=7',
    );
  });

  it('says what to fix for a bad URL or workspace id', () => {
    expect(() => credentialsUrl('api.cloud.seqera.io', '')).toThrow(/is not a URL/);
    expect(() => credentialsUrl('javascript:alert(1)', '')).toThrow(/must start with https:\/\//);
    expect(() => credentialsUrl('https://api.cloud.seqera.io', 'my-ws')).toThrow(
      /A workspace id is a number/,
    );
  });
});

describe('sshAddListLine', () => {
  it('is what the real ssh-keygen -l prints for the key', () => {
    const key = sshKeygen('ed25519', 'seqera-ada');
    const dir = mkdtempSync(join(tmpdir(), 'keysmith-onboarding-'));
    try {
      writeFileSync(join(dir, 'key.pub'), `${key.publicKey}\n`);
      const printed = execFileSync('ssh-keygen', ['-l', '-f', join(dir, 'key.pub')])
        .toString()
        .trimEnd();
      expect(sshAddListLine(key.fingerprint, 'seqera-ada')).toBe(printed);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('privateKeyPreview', () => {
  it('keeps the BEGIN and END lines and counts the rest', () => {
    const { privateKey } = sshKeygen('ed25519', 'x');
    const lines = privateKey.trimEnd().split('\n');
    expect(privateKeyPreview(privateKey)).toBe(
      `-----BEGIN OPENSSH PRIVATE KEY-----\n… ${lines.length - 2} lines of base64 …\n-----END OPENSSH PRIVATE KEY-----`,
    );
  });
});
