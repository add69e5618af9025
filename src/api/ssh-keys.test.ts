import { describe, expect, it } from 'vitest';
import {
  createKeyRequestSchema,
  listKeysResponseSchema,
  sshKeySchema,
  toWireKey,
  toWireList,
  type SshKey,
} from './ssh-keys.ts';

const publicKey =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ada@laptop';

function messagesOf(body: unknown): string[] {
  const parsed = createKeyRequestSchema.safeParse(body);
  if (parsed.success) throw new Error('expected the request to be refused');
  return parsed.error.issues.map((issue) => issue.message);
}

// The server's 400 message is made of these issues (src/server/app.ts): zod/mini alone would
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
    const list = { keys, warnings: [], path: '/home/ada/.ssh/authorized_keys' };
    expect(listKeysResponseSchema.parse(throughJson(toWireList(list)))).toEqual(list);
  });

  it('fills in fresh defaults: changing one parsed key changes no other', () => {
    const [a, b] = listKeysResponseSchema.parse(
      throughJson({ keys: [toWireKey(plain), toWireKey(plain)], warnings: [], path: '/x' }),
    ).keys;
    a?.options.raw.push('restrict');
    expect(b?.options.raw).toEqual([]);
  });
});
