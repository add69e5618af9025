import type { Policy } from '../../../api/policy.ts';
import type { SshKey } from '../../../api/ssh-keys.ts';
import { fitToPolicy, nameFromComment, type KeyOptionsValue } from './key-options.ts';

/**
 * The new key's options: the old key's name (or a name made from its comment), access and
 * source addresses, and a fresh expiry of 90 days, or the longest the site's policy allows.
 * Only keys of an access level Keysmith composes (not `custom`) are offered Replace.
 */
export function replacementOptions(key: SshKey, policy: Policy, now: Date): KeyOptionsValue {
  return fitToPolicy(
    {
      name: key.name ?? nameFromComment(key.comment, now),
      expiry: '90',
      date: '',
      access: key.access === 'custom' ? 'restricted' : key.access,
      from: key.options.from?.join(', ') ?? '',
    },
    policy,
  );
}
