import { useQuery } from '@tanstack/react-query';
import type { ListKeysResponse } from '../../../api/ssh-keys.ts';
import { sshKeysQueryOptions } from './ssh-keys-query-options.ts';

/**
 * Where the user's keys live, as the list says: the file sshd reads at each login, or the
 * user's entry in the site's directory (`--store ldap`), which SSSD caches on every host. Until
 * the list is known, `unknown`: the words then promise neither.
 */
export type KeyPlace =
  { kind: 'file' } | { kind: 'directory'; cacheMinutes: number } | { kind: 'unknown' };

export function keyPlaceOf(
  list: Pick<ListKeysResponse, 'directoryCacheMinutes'> | undefined,
): KeyPlace {
  if (list === undefined) return { kind: 'unknown' };
  if (list.directoryCacheMinutes === undefined) return { kind: 'file' };
  return { kind: 'directory', cacheMinutes: list.directoryCacheMinutes };
}

/** Where keys are, after "in", "to" or "from": "your ~/.ssh/authorized_keys". */
export function keysWhere(place: KeyPlace): string {
  switch (place.kind) {
    case 'file':
      return 'your ~/.ssh/authorized_keys';
    case 'directory':
      return "your entry in the site's directory";
    case 'unknown':
      return 'your SSH keys';
    default:
      return place satisfies never;
  }
}

function minutesWord(minutes: number): string {
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/**
 * When a removed key stops logging in, after "stop(s) working": sshd reads authorized_keys at
 * each login (sshd(8) AUTHORIZED_KEYS FILE FORMAT), but SSSD answers from its cache until
 * entry_cache_timeout (sssd.conf(5)).
 */
export function removalTakesEffect(place: KeyPlace): string {
  switch (place.kind) {
    case 'file':
      return 'at once';
    case 'directory':
      return `on every host within ${minutesWord(place.cacheMinutes)}, when SSSD's cache expires; your administrator can make it sooner`;
    case 'unknown':
      return 'once sshd sees the change';
    default:
      return place satisfies never;
  }
}

/**
 * When an added key starts logging in everywhere, as a sentence; null where it does at once.
 * SSSD keeps serving the keys it fetched until its cache expires (sssd.conf(5)).
 */
export function additionTakesEffect(place: KeyPlace): string | null {
  if (place.kind !== 'directory') return null;
  return `Hosts that fetched your keys before may take up to ${minutesWord(place.cacheMinutes)} to accept it, until SSSD's cache expires.`;
}

/**
 * The place of the keys the page already listed, from the query cache: a dialog never asks the
 * server again for it.
 */
export function useKeyPlace(): KeyPlace {
  const { data } = useQuery({ ...sshKeysQueryOptions(), enabled: false });
  return keyPlaceOf(data);
}
