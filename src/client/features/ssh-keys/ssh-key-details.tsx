import type { SshKey } from '../../../api/ssh-keys.ts';
import { CopyButton } from '../../ui/copy-button.tsx';
import { accessLabel, formatDay } from './key-display.ts';
import { useKeyPlace } from './key-place.ts';

/** Everything about one key that its row leaves out. */
export function SshKeyDetails({
  id,
  sshKey: key,
  name,
}: {
  id: string;
  sshKey: SshKey;
  name: string;
}) {
  const place = useKeyPlace();
  return (
    <div id={id} className="key-details">
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
            <>
              <time dateTime={key.addedAt}>{formatDay(key.addedAt)}</time>
              {key.managed ? ' by Keysmith' : ''}
            </>
          ) : key.managed ? (
            'By Keysmith'
          ) : (
            'Not added by Keysmith'
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
        {/* In the directory a key is one value of the entry's attribute: no line to look for. */}
        {place.kind !== 'directory' && (
          <>
            <dt>Line</dt>
            <dd>{key.line} of authorized_keys</dd>
          </>
        )}
      </dl>
      {key.flags.length > 0 && (
        <ul className="warning-list" aria-label={`Notes on ${name}`}>
          {key.flags.map((flag) => (
            <li key={flag.code}>{flag.message}</li>
          ))}
        </ul>
      )}
      <pre className="code-block" aria-label={`Public key of ${name}`}>
        {key.publicKey}
      </pre>
    </div>
  );
}
