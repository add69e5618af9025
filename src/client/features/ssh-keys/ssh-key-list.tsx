import type { FileWarning, IgnoredLine, SshKey } from '../../../api/ssh-keys.ts';
import { CopyButton } from '../../ui/copy-button.tsx';
import { accessLabel, formatDay, keyDisplayName } from './key-display.ts';

/** What would make sshd ignore the file, each with the command that fixes it. */
export function FileWarnings({ warnings, path }: { warnings: FileWarning[]; path: string }) {
  if (warnings.length === 0) return null;
  return (
    <section className="danger-box" aria-labelledby="file-warnings-title">
      <h2 id="file-warnings-title" className="section-title">
        sshd will ignore {path}
      </h2>
      <ul className="warning-list">
        {warnings.map((warning) => (
          <li key={`${warning.code}:${warning.fix}`}>
            <p>{warning.message}</p>
            <p>
              Fix: <code className="command">{warning.fix}</code>{' '}
              <CopyButton
                text={warning.fix}
                label="Copy"
                accessibleLabel={`Copy the command: ${warning.fix}`}
              />
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Lines that look like keys but that sshd ignores: shown, never hidden. */
export function IgnoredLines({ lines, path }: { lines: IgnoredLine[]; path: string }) {
  if (lines.length === 0) return null;
  return (
    <section className="danger-box" aria-labelledby="ignored-lines-title">
      <h2 id="ignored-lines-title" className="section-title">
        Lines of {path} that sshd ignores
      </h2>
      <ul className="warning-list">
        {lines.map((line) => (
          <li key={line.line}>
            Line {line.line}: {line.message}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** One card per key of authorized_keys, Keysmith's and everyone else's. */
export function SshKeyList({
  keys,
  onDelete,
  onDeleteIntent,
  label = 'SSH keys',
}: {
  keys: SshKey[];
  /** Without it, the cards have no Delete button (the onboarding flow shows one key, read-only). */
  onDelete?: (key: SshKey) => void;
  /** A Delete button was hovered or focused: the page starts loading its dialog. */
  onDeleteIntent?: () => void;
  label?: string;
}) {
  return (
    <ul className="key-list" aria-label={label}>
      {keys.map((key) => {
        const name = keyDisplayName(key);
        const titleId = `key-${key.line}-title`;
        return (
          <li key={key.line} className="key-card" aria-labelledby={titleId}>
            <div className="key-card-head">
              <h2 id={titleId} className="key-name">
                {name}
              </h2>
              <span className={key.managed ? 'badge' : 'badge badge-muted'}>
                {key.managed ? 'Added by Keysmith' : 'Not added by Keysmith'}
              </span>
              {key.expired && <span className="badge badge-danger">Expired</span>}
            </div>
            <dl className="key-info">
              <dt>Type</dt>
              <dd>
                {key.type} ({key.bits} bits)
              </dd>
              <dt>Fingerprint</dt>
              <dd>
                <span className="mono">{key.fingerprint}</span>{' '}
                <CopyButton
                  text={key.fingerprint}
                  label="Copy"
                  accessibleLabel={`Copy fingerprint of ${name}`}
                />
              </dd>
              {key.name !== null && key.comment !== '' && (
                <>
                  <dt>Comment</dt>
                  <dd className="mono">{key.comment}</dd>
                </>
              )}
              <dt>Added</dt>
              <dd>
                {key.addedAt ? (
                  <time dateTime={key.addedAt}>{formatDay(key.addedAt)}</time>
                ) : (
                  'Unknown'
                )}
              </dd>
              <dt>Expires</dt>
              <dd>
                {key.expiresAt ? (
                  <>
                    {key.expired ? 'Expired on ' : ''}
                    <time dateTime={key.expiresAt}>{formatDay(key.expiresAt)}</time>
                  </>
                ) : (
                  'Never'
                )}
              </dd>
              <dt>Access</dt>
              <dd>
                {accessLabel(key)}
                {key.options.from && <> · from {key.options.from.join(', ')}</>}
              </dd>
            </dl>
            {key.flags.length > 0 && (
              <ul className="warning-list" aria-label={`Notes on ${name}`}>
                {key.flags.map((flag) => (
                  <li key={flag.code}>{flag.message}</li>
                ))}
              </ul>
            )}
            {onDelete && (
              <div className="key-card-actions">
                <button
                  type="button"
                  className="button button-danger-outline"
                  aria-label={`Delete ${name}`}
                  onPointerEnter={onDeleteIntent}
                  onFocus={onDeleteIntent}
                  onClick={() => onDelete(key)}
                >
                  Delete
                </button>
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}
