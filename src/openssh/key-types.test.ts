import { describe, expect, it } from 'vitest';
import { keyTypeLabel, looksLikeKeyTypeName, type PublicKeyType } from './key-types.ts';

describe('looksLikeKeyTypeName', () => {
  it('is true for every name sshkey_read takes, for ssh-dss and for certificate types', () => {
    for (const word of [
      'ssh-ed25519',
      'rsa-sha2-512',
      'webauthn-sk-ecdsa-sha2-nistp256@openssh.com',
      'ssh-dss',
      'ssh-ed25519-cert-v01@openssh.com',
    ]) {
      expect([word, looksLikeKeyTypeName(word)]).toEqual([word, true]);
    }
  });

  it('is false for option words, short names and words that only contain a type name', () => {
    for (const word of [
      'restrict',
      'ED25519',
      'ssh-dsa',
      'toString',
      'X_ssh-ed25519-cert-v01@openssh.com',
      'ssh-ed25519-cert-v01@openssh.comX',
      '-cert-v01@openssh.com',
    ]) {
      expect([word, looksLikeKeyTypeName(word)]).toEqual([word, false]);
    }
  });
});

describe('keyTypeLabel', () => {
  it('refuses a name outside the union', () => {
    expect(() => keyTypeLabel('ssh-dss' as PublicKeyType)).toThrow('unknown key type ssh-dss');
  });
});
