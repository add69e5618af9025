import { memo, useDeferredValue, useMemo, useState } from 'react';
import type { Policy } from '../../../api/policy.ts';
import type { ListKeysResponse, SshKey } from '../../../api/ssh-keys.ts';
import { KeyListToolbar } from './key-list-toolbar.tsx';
import { viewKeys, type KeySort } from './key-list-view.ts';
import { problemsByLine } from './policy-flags.ts';
import { removableExpiredKeys } from './remove-keys.ts';
import { SshKeyList } from './ssh-key-list.tsx';
import type { KeyRowActions } from './ssh-key-row.tsx';

interface SearchableKeyListProps {
  list: ListKeysResponse;
  /** When the list was read: expiry and last use are relative to it. */
  now: Date;
  /** The site's policy, once loaded: keys that break it are flagged. */
  policy: Policy | undefined;
  actions: KeyRowActions;
  /** All expired keys, to remove after one confirmation. */
  onRemoveExpired: (keys: readonly SshKey[]) => void;
  onRemoveExpiredIntent: () => void;
}

/** The page's list: search and sort over the rows; memoized so a dialog opening skips it. */
export const SearchableKeyList = memo(function SearchableKeyList({
  list,
  now,
  policy,
  actions,
  onRemoveExpired,
  onRemoveExpiredIntent,
}: SearchableKeyListProps) {
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<KeySort>('file');
  // The box takes each keystroke at once; the rows follow when React has time.
  const deferredQuery = useDeferredValue(query);
  const shown = useMemo(
    () => viewKeys(list.keys, deferredQuery, sort),
    [list.keys, deferredQuery, sort],
  );
  const problems = useMemo(
    () => (policy === undefined ? undefined : problemsByLine(list.keys, policy, now)),
    [list.keys, policy, now],
  );
  const expired = useMemo(() => removableExpiredKeys(list.keys, now), [list.keys, now]);
  return (
    <>
      <KeyListToolbar
        query={query}
        onQueryChange={setQuery}
        sort={sort}
        onSortChange={setSort}
        shown={shown.length}
        total={list.keys.length}
        expired={expired.length}
        onRemoveExpired={() => onRemoveExpired(expired)}
        onRemoveExpiredIntent={onRemoveExpiredIntent}
      />
      {shown.length === 0 ? (
        <p className="key-list-none">No key matches “{deferredQuery.trim()}”.</p>
      ) : (
        <SshKeyList
          keys={shown}
          now={now}
          lastUseTracked={list.lastUseTracked ?? false}
          problems={problems}
          actions={actions}
        />
      )}
    </>
  );
});
