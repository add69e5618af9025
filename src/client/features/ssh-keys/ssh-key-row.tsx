import { memo } from 'react';
import type { SshKey } from '../../../api/ssh-keys.ts';
import { keyDisplayName, shortAccessLabel, shortTypeLabel } from './key-display.ts';
import { expiryStatus, expiryWords, lastUseWords, type ExpiryStatus } from './key-status-words.ts';
import { preloadableLazy } from '../../ui/preloadable-lazy.tsx';

// Details are on demand, and so is their code; hovering or focusing a name starts loading it.
const SshKeyDetails = preloadableLazy(
  () => import('./ssh-key-details.tsx').then((module) => module.SshKeyDetails),
  <p className="key-details hint">Loading details…</p>,
);
function preloadDetails() {
  void SshKeyDetails.preload();
}

/** What a row's buttons do; one object for the whole list, so rows stay memoized. */
export interface KeyRowActions {
  onDelete: (key: SshKey) => void;
  /** Without it, no Replace button. */
  onReplace?: (key: SshKey) => void;
  /** A row's button was hovered or focused: the page starts loading that dialog. */
  onIntent?: (action: 'delete' | 'replace') => void;
}

interface SshKeyRowProps {
  sshKey: SshKey;
  /** The time the words are relative to: the list's read, so rows do not re-render each tick. */
  now: Date;
  lastUseTracked: boolean;
  /** The site policy's rules this key breaks (policyProblems), empty when none. */
  problems: readonly string[];
  expanded: boolean;
  onToggle: (rowId: string) => void;
  /** Without it, the row is read-only (the onboarding flow shows one key). */
  actions?: KeyRowActions;
}

/** Identifies a row across renders: the line, and the key on it. */
export function rowId(key: SshKey): string {
  return `${key.line}:${key.fingerprint}`;
}

function expiryClass(status: ExpiryStatus): string {
  switch (status.kind) {
    case 'expired':
      return 'badge badge-danger';
    case 'soon':
      return 'badge badge-warning';
    case 'never':
    case 'later':
      return 'key-row-muted';
    default:
      return status satisfies never;
  }
}

/**
 * One line per key: name (a disclosure button for the details), type, fingerprint, access,
 * expiry and last use, actions. Memoized: typing in the search box or opening a dialog must not
 * re-render a thousand rows.
 */
export const SshKeyRow = memo(function SshKeyRow({
  sshKey: key,
  now,
  lastUseTracked,
  problems,
  expanded,
  onToggle,
  actions,
}: SshKeyRowProps) {
  const name = keyDisplayName(key);
  const id = rowId(key);
  const titleId = `key-${key.line}-title`;
  const detailsId = `key-${key.line}-details`;
  const expiry = expiryStatus(key, now);
  const lastUse = lastUseWords(key, lastUseTracked, now);
  const replaceable = actions?.onReplace !== undefined && key.access !== 'custom';
  return (
    <li className="key-row" aria-labelledby={titleId} data-fingerprint={key.fingerprint}>
      <div className="key-row-line">
        <h2 id={titleId} className="key-name">
          <button
            type="button"
            className="key-toggle"
            aria-expanded={expanded}
            aria-controls={expanded ? detailsId : undefined}
            onPointerEnter={preloadDetails}
            onFocus={preloadDetails}
            onClick={() => onToggle(id)}
          >
            {name}
          </button>
        </h2>
        <span className="key-type">{shortTypeLabel(key)}</span>
        <span className="key-fingerprint mono" title={key.fingerprint}>
          {key.fingerprint}
        </span>
        <span className="key-access">{shortAccessLabel(key)}</span>
        <span className="key-status">
          <span className={expiryClass(expiry)}>{expiryWords(expiry)}</span>
          {lastUse !== null && <span className="key-row-muted">{lastUse}</span>}
          {key.flags.length > 0 && (
            <span className="badge badge-warning">
              {key.flags.length === 1 ? '1 note' : `${key.flags.length} notes`} in details
            </span>
          )}
          {!key.managed && <span className="badge badge-muted">Not added by Keysmith</span>}
        </span>
        {actions && (
          <span className="key-row-actions">
            {replaceable && (
              <button
                type="button"
                className="button button-secondary button-small"
                aria-label={`Replace ${name}`}
                onPointerEnter={() => actions.onIntent?.('replace')}
                onFocus={() => actions.onIntent?.('replace')}
                onClick={() => actions.onReplace?.(key)}
              >
                Replace
              </button>
            )}
            <button
              type="button"
              className="button button-danger-outline button-small"
              aria-label={`Delete ${name}`}
              onPointerEnter={() => actions.onIntent?.('delete')}
              onFocus={() => actions.onIntent?.('delete')}
              onClick={() => actions.onDelete(key)}
            >
              Delete
            </button>
          </span>
        )}
      </div>
      {problems.length > 0 && (
        <p className="key-row-problems">
          <strong>Against this site&apos;s policy:</strong> {problems.join(' ')}
        </p>
      )}
      {expanded && <SshKeyDetails id={detailsId} sshKey={key} name={name} />}
    </li>
  );
});
