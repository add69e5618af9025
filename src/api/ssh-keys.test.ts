import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Access, DerivedAccess } from '../openssh/access-levels.ts';
import type { DecodedOptions } from '../openssh/authorized-keys-options.ts';
import {
  createKeyRequestSchema,
  listKeysResponseSchema,
  sshKeySchema,
  toWireKey,
  toWireList,
  type Access as ApiAccess,
  type KeyOptions,
  type SshKey,
} from './ssh-keys.ts';

describe('the contract and src/openssh', () => {
  it('has the same decoded options and access levels as the option rules', () => {
    expectTypeOf<KeyOptions>().toEqualTypeOf<DecodedOptions>();
    expectTypeOf<ApiAccess>().toEqualTypeOf<Access>();
    expectTypeOf<SshKey['access']>().toEqualTypeOf<DerivedAccess>();
  });
});

const publicKey =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ada@laptop';

function messagesOf(body: unknown): string[] {
  const parsed = createKeyRequestSchema.safeParse(body);
  if (parsed.success) throw new Error('expected the request to be refused');
  return parsed.error.issues.map((issue) => issue.message);
}

// The server's 400 message is made of these issues (src/server/http/app.ts): zod/mini alone would
// say "Invalid input" to all of them.
describe('createKeyRequestSchema messages', () => {
  it('name the expected type and the limits', () => {
    expect(messagesOf({ name: 'x' })).toEqual([
      'Invalid input: expected string, received undefined',
    ]);
    expect(messagesOf({ publicKey: 'a'.repeat(16_385) })).toEqual([
      'Too big: expected string to have <=16384 characters',
    ]);
    expect(messagesOf({ publicKey, from: [] })).toEqual([
      'Too small: expected array to have >=1 items',
    ]);
    expect(messagesOf({ publicKey, access: 'root' })).toEqual([
      'Invalid option: expected one of "restricted"|"interactive"|"full"',
    ]);
    expect(messagesOf({ publicKey, options: 'command="x"' })).toEqual([
      'Unrecognized key: "options"',
    ]);
    expect(messagesOf({ publicKey, expiresAt: 'tomorrow' })).toEqual(['Invalid ISO datetime']);
  });

  it('keep our own messages for names and address patterns', () => {
    expect(messagesOf({ publicKey, name: 'a b' })).toEqual([
      'A name is 1–100 letters, digits, "-" or "_" (no spaces).',
    ]);
    expect(messagesOf({ publicKey, from: ['1.2.3.4,*'] })[0]).toMatch(/^An address pattern is/);
  });

  it('refuses from lists with which sshd lets no one in, and says what to write', () => {
    expect(messagesOf({ publicKey, from: ['!10.1.2.3', '!192.0.2.0/24'] })).toEqual([
      'A from list of only exclusions (!) lets no address in: add the addresses to allow, such as 10.0.0.0/8 beside !10.1.2.3.',
    ]);
    expect(messagesOf({ publicKey, from: ['10.1.2.3/8'] })).toEqual([
      '"10.1.2.3/8" has address bits set after its /8 prefix, so sshd would refuse every login with this key: use 10.0.0.0/8.',
    ]);
    const fixes: [string, string][] = [
      ['!10.255.255.255/9', 'use 10.128.0.0/9.'],
      ['192.168.1.1/31', 'use 192.168.1.0/31.'],
      ['1.2.3.4/0', 'use 0.0.0.0/0.'],
      ['::1/64', 'use ::/64.'],
      ['fe80::1:2:3:4/64', 'use fe80::/64.'],
      ['2001:db8:0:0:1::/48', 'use 2001:db8::/48.'],
      ['2001:db8:1:2:3:4:5:7/127', 'use 2001:db8:1:2:3:4:5:6/127.'],
      ['::ffff:10.1.2.3/104', 'use ::ffff:a00:0/104.'],
      ['1:0:0:1:0:0:0:1/16', 'use 1::/16.'],
    ];
    for (const [pattern, fix] of fixes) {
      expect(messagesOf({ publicKey, from: [pattern, '10.0.0.0/8'] }).join(' '), pattern).toContain(
        fix,
      );
    }
    expect(messagesOf({ publicKey, from: ['10.0.0.0/33'] })).toEqual([
      '"10.0.0.0/33" has a prefix longer than the 32 bits of an IPv4 address, so sshd would refuse every login with this key: use a prefix from 0 to 32.',
    ]);
    for (const pattern of ['::/129', '10.0.0.0/999', '10/8', '010.0.0.0/8', '10.0.0.256/32']) {
      expect(messagesOf({ publicKey, from: [pattern] }), pattern).toEqual([
        `"${pattern}" is not an address range: write a whole address and a prefix length, such as 10.0.0.0/8 or 2001:db8::/32.`,
      ]);
    }
    for (const pattern of [
      '10.*/8',
      '1::2::3/8',
      '1.2.3.4::/8',
      '1:2:3:4:5:6:7:8::/8',
      'host/8',
      '10.0.0.0/',
      '10.0.0.0/-8',
      '10.0.0.0/8/8',
    ]) {
      expect(messagesOf({ publicKey, from: [pattern] })[0], pattern).toMatch(
        /is not an address range/,
      );
    }
  });

  it('takes from lists sshd can let someone in with', () => {
    const from = [
      '10.0.0.0/8',
      '!10.1.2.3',
      '!10.2.0.0/16',
      '0.0.0.0/0',
      '::/0',
      '2001:db8::/32',
      '1:2:3:4:5:6:7::/128',
      '::ffff:10.0.0.0/104',
      'fe80::/10',
      '192.168.1.1',
      '*.example.org',
      '10.0.0.?',
    ];
    expect(createKeyRequestSchema.parse({ publicKey, from }).from).toEqual(from);
  });

  it('defaults access to restricted', () => {
    expect(createKeyRequestSchema.parse({ publicKey })).toEqual({
      publicKey,
      access: 'restricted',
    });
  });
});

describe('listKeysResponseSchema', () => {
  it('refuses a key whose line number is not an integer', () => {
    const key = {
      fingerprint: 'SHA256:x',
      type: 'ssh-ed25519',
      bits: 256,
      comment: '',
      publicKey,
      options: { restrict: true, pty: false, from: null, expiryTime: null, command: null, raw: [] },
      access: 'restricted',
      expiresAt: null,
      expired: false,
      name: null,
      addedAt: null,
      managed: false,
      line: 1,
    };
    const answer = { keys: [key], warnings: [], path: '/home/ada/.ssh/authorized_keys' };
    expect(listKeysResponseSchema.safeParse(answer).success).toBe(true);
    expect(
      listKeysResponseSchema.safeParse({ ...answer, keys: [{ ...key, line: 1.5 }] }).success,
    ).toBe(false);
  });
});

describe('toWireKey', () => {
  const plain: SshKey = {
    fingerprint: 'SHA256:x',
    type: 'ssh-ed25519',
    bits: 256,
    comment: '',
    publicKey,
    options: { restrict: false, pty: false, from: null, expiryTime: null, command: null, raw: [] },
    access: 'full',
    expiresAt: null,
    expired: false,
    name: null,
    addedAt: null,
    managed: false,
    line: 3,
    flags: [],
    lastUsedAt: null,
    lastUsedFrom: null,
  };
  const everything: SshKey = {
    ...plain,
    comment: 'ada@laptop',
    options: {
      restrict: true,
      pty: true,
      from: ['10.0.0.0/8'],
      expiryTime: '20200101',
      command: 'true',
      raw: ['restrict', 'pty', 'from="10.0.0.0/8"', 'expiry-time="20200101"', 'command="true"'],
    },
    access: 'custom',
    expiresAt: '2020-01-01T00:00:00.000Z',
    expired: true,
    name: 'laptop',
    addedAt: '2026-01-02T03:04:05Z',
    managed: true,
    flags: [{ code: 'rsa-small', message: 'RSA under 2048 bits: replace it.' }],
    lastUsedAt: '2026-12-01T08:00:00.000Z',
    lastUsedFrom: '10.1.2.3',
  };
  const throughJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

  it('leaves out every field that holds its default, and only those', () => {
    expect(Object.keys(toWireKey(plain))).toEqual([
      'fingerprint',
      'type',
      'bits',
      'publicKey',
      'access',
      'line',
    ]);
    // Nothing at its default: the whole key, in the schema's order.
    expect(JSON.stringify(toWireKey(everything))).toBe(JSON.stringify(everything));
    expect(toWireKey({ ...plain, options: { ...plain.options, raw: ['x'] } }).options).toEqual({
      raw: ['x'],
    });
  });

  it('gives back the very key once the schema reads its JSON', () => {
    const keys: SshKey[] = [plain, everything];
    // Every field of `everything` on its own over a plain key, and every option on its own.
    for (const field of Object.keys(everything) as (keyof SshKey)[]) {
      keys.push({ ...plain, [field]: everything[field] });
    }
    for (const option of Object.keys(everything.options) as (keyof SshKey['options'])[]) {
      keys.push({ ...plain, options: { ...plain.options, [option]: everything.options[option] } });
    }
    for (const key of keys) expect(sshKeySchema.parse(throughJson(toWireKey(key)))).toEqual(key);
    const list = { keys, ignoredLines: [], warnings: [], path: '/home/ada/.ssh/authorized_keys' };
    expect(listKeysResponseSchema.parse(throughJson(toWireList(list)))).toEqual(list);
    expect(Object.keys(toWireList(list))).toEqual(['keys', 'warnings', 'path']);
    const ignored = { ...list, ignoredLines: [{ line: 2, message: 'sshd would ignore it.' }] };
    expect(listKeysResponseSchema.parse(throughJson(toWireList(ignored)))).toEqual(ignored);
  });

  it('fills in fresh defaults: changing one parsed key changes no other', () => {
    const [a, b] = listKeysResponseSchema.parse(
      throughJson({ keys: [toWireKey(plain), toWireKey(plain)], warnings: [], path: '/x' }),
    ).keys;
    a?.options.raw.push('restrict');
    expect(b?.options.raw).toEqual([]);
  });
});
