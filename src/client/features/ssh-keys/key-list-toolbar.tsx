import { useId } from 'react';
import { keySorts, type KeySort } from './key-list-view.ts';

interface KeyListToolbarProps {
  query: string;
  onQueryChange: (query: string) => void;
  sort: KeySort;
  onSortChange: (sort: KeySort) => void;
  shown: number;
  total: number;
  expired: number;
  onRemoveExpired: () => void;
  /** The button was hovered or focused: the page starts loading its dialog. */
  onRemoveExpiredIntent: () => void;
}

/** Search, sort, how many keys are shown, and the one action for all expired keys. */
export function KeyListToolbar(props: KeyListToolbarProps) {
  const id = useId();
  return (
    <div className="key-toolbar" role="search" aria-label="Find keys">
      <div className="key-toolbar-field">
        <label htmlFor={`${id}-search`}>Search</label>
        <input
          id={`${id}-search`}
          type="search"
          value={props.query}
          placeholder="Name, comment or fingerprint"
          autoComplete="off"
          spellCheck={false}
          onChange={(event) => props.onQueryChange(event.target.value)}
        />
      </div>
      <div className="key-toolbar-field">
        <label htmlFor={`${id}-sort`}>Sort by</label>
        <select
          id={`${id}-sort`}
          value={props.sort}
          onChange={(event) => props.onSortChange(event.target.value as KeySort)}
        >
          {keySorts.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      </div>
      <p className="key-toolbar-count" role="status">
        {props.shown === props.total
          ? `${props.total} ${props.total === 1 ? 'key' : 'keys'}`
          : `${props.shown} of ${props.total} keys`}
      </p>
      {props.expired > 0 && (
        <button
          type="button"
          className="button button-danger-outline"
          onPointerEnter={props.onRemoveExpiredIntent}
          onFocus={props.onRemoveExpiredIntent}
          onClick={props.onRemoveExpired}
        >
          Remove expired keys ({props.expired})
        </button>
      )}
    </div>
  );
}
