import { describe, expect, it } from 'vitest';
import { createKeyRequestSchema, listKeysResponseSchema } from './ssh-keys.ts';

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
