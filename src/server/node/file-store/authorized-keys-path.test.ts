import { describe, expect, it } from 'vitest';
import {
  checkAuthorizedKeysTemplate,
  expandAuthorizedKeysTemplate,
} from './authorized-keys-path.ts';

const ada = { name: 'ada', home: '/home/ada' };

describe('expandAuthorizedKeysTemplate', () => {
  it('expands %h, %u and %% as sshd does', () => {
    expect(expandAuthorizedKeysTemplate('%h/.ssh/authorized_keys', ada)).toBe(
      '/home/ada/.ssh/authorized_keys',
    );
    expect(expandAuthorizedKeysTemplate('/etc/ssh/keys/%u', ada)).toBe('/etc/ssh/keys/ada');
    expect(expandAuthorizedKeysTemplate('/srv/%%h/%u%%', ada)).toBe('/srv/%h/ada%');
  });

  it('refuses other tokens and relative results', () => {
    for (const template of [
      '%h/.ssh/%i',
      '/keys/%U',
      '/keys/%',
      'keys/%u',
      '.ssh/authorized_keys',
    ]) {
      expect(checkAuthorizedKeysTemplate(template), template).not.toBeNull();
      expect(() => expandAuthorizedKeysTemplate(template, ada), template).toThrow(RangeError);
    }
    expect(() => expandAuthorizedKeysTemplate('%h/k', { name: 'x', home: 'relative' })).toThrow(
      RangeError,
    );
  });
});
