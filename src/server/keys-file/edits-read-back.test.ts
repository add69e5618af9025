import { describe, expect, it, vi } from 'vitest';
import { addKey } from './edits.ts';
import { KeyStoreError } from '../store/key-store.ts';

// Both checks guard against a bug in the line writer or reader, so they are driven here by
// stand-ins that read the composed line back wrongly.
const readBack = vi.hoisted(() => ({ options: true, keyLine: true }));

vi.mock(import('../../openssh/authorized-keys-options.ts'), async (importOriginal) => {
  const original = await importOriginal();
  return {
    ...original,
    readsBackAs: (...args: Parameters<typeof original.readsBackAs>) =>
      readBack.options && original.readsBackAs(...args),
  };
});

vi.mock(import('./model.ts'), async (importOriginal) => {
  const original = await importOriginal();
  return {
    ...original,
    keyLineAt: (...args: Parameters<typeof original.keyLineAt>) =>
      readBack.keyLine ? original.keyLineAt(...args) : null,
  };
});

const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl a';
const now = new Date('2026-03-04T05:06:07Z');

describe('addKey read-back checks', () => {
  it('adds the key when both read it back as composed', () => {
    expect(addKey('', { publicKey: key }, now).key.comment).toBe('a');
  });

  it('refuses with 400 a line whose options would read back differently', () => {
    readBack.options = false;
    try {
      expect(() => addKey('', { publicKey: key }, now)).toThrow(
        new KeyStoreError(
          'invalid-key',
          400,
          'This key cannot be written safely: it would read back differently. Check the key text and options.',
        ),
      );
      expect(() => addKey('', { publicKey: key }, now)).toThrow(
        expect.objectContaining({ code: 'invalid-key', status: 400 }),
      );
    } finally {
      readBack.options = true;
    }
  });

  it('refuses with 500 a composed line the file model does not read back as the key', () => {
    readBack.keyLine = false;
    try {
      expect(() => addKey('# x\n', { publicKey: key }, now)).toThrow(
        new KeyStoreError('internal', 500, 'Keysmith could not read back the key it composed.'),
      );
      expect(() => addKey('# x\n', { publicKey: key }, now)).toThrow(
        expect.objectContaining({ code: 'internal', status: 500 }),
      );
    } finally {
      readBack.keyLine = true;
    }
  });
});
