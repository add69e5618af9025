import { useQuery } from '@tanstack/react-query';
import { CopyButton } from '../../ui/copy-button.tsx';
import { additionTakesEffect, keyPlaceOf, keysWhere } from '../ssh-keys/key-place.ts';
import { FileWarnings, SshKeyList } from '../ssh-keys/ssh-key-list.tsx';
import { sshKeysQueryOptions } from '../ssh-keys/ssh-keys-query-options.ts';
import type { FlowKey } from './flow-storage.ts';
import { KeysLoadState } from './keys-load-state.tsx';
import { privateKeyPath, sshAddListLine } from './seqera.ts';

interface CheckStepProps {
  flowKey: FlowKey;
  user: string;
  onFinish: () => void;
}

/**
 * Steps 4 and 5: the key as the list shows it, how to match its fingerprint, and a stop while
 * sshd would ignore authorized_keys (StrictModes: modes, ownership), until "Check again" finds
 * the file fixed.
 */
export function CheckStep({ flowKey, user, onFinish }: CheckStepProps) {
  const keys = useQuery(sshKeysQueryOptions());
  const checkAgain = (
    <button
      type="button"
      className="button button-secondary"
      disabled={keys.isFetching}
      onClick={() => void keys.refetch()}
    >
      {keys.isFetching ? 'Checking…' : 'Check again'}
    </button>
  );

  if (keys.isPending || keys.isError) {
    return <KeysLoadState error={keys.error} retry={checkAgain} />;
  }

  const key = keys.data.keys.find((candidate) => candidate.fingerprint === flowKey.fingerprint);
  if (!key) {
    return (
      <div role="alert" className="error-box">
        <p>
          The key <strong>{flowKey.name}</strong> ({flowKey.fingerprint}) is no longer in{' '}
          <code>{keys.data.path}</code>: it was deleted since. Seqera cannot log in with it. Start
          over to make a new key.
        </p>
        {checkAgain}
      </div>
    );
  }

  const expected = sshAddListLine(key.fingerprint, key.comment);
  const keyFile = privateKeyPath(flowKey.name);
  const blocked = keys.data.warnings.length > 0;
  const place = keyPlaceOf(keys.data);
  return (
    <>
      {blocked && (
        <div className="blocked">
          <p role="alert" className="error-text">
            <strong>
              Stop here: sshd ignores your authorized_keys, so Seqera cannot log in yet.
            </strong>{' '}
            Run the fix below in a terminal on this cluster, then check again.
          </p>
          <FileWarnings warnings={keys.data.warnings} path={keys.data.path} />
          <div className="action-row">{checkAgain}</div>
        </div>
      )}
      <p>The key for Seqera is in {keysWhere(place)}. Its fingerprint identifies it:</p>
      <SshKeyList keys={[key]} label="The key for Seqera" />

      <h3 className="section-title">Is it the key you pasted?</h3>
      <p>
        Wherever a fingerprint of this key appears, it must read exactly{' '}
        <span className="mono">{key.fingerprint}</span>. On your computer, with the private key
        saved as <code>{keyFile}</code>, <code className="command">ssh-add {keyFile}</code>
        {flowKey.encrypted ? ' (it asks for the passphrase)' : ''} and then{' '}
        <code className="command">ssh-add -l</code> print:
      </p>
      <pre className="code-block" aria-label="What ssh-add -l prints">
        {expected}
      </pre>
      <CopyButton
        text={expected}
        label="Copy"
        accessibleLabel="Copy the expected ssh-add -l line"
      />
      <p className="hint">
        <code className="command">ssh-keygen -lf {keyFile}</code> prints the same fingerprint
        {flowKey.encrypted
          ? ', with "no comment" in place of the name: in an encrypted key file the comment is encrypted too.'
          : '.'}
      </p>
      <p className="hint">
        When Seqera logs in, sshd writes the same fingerprint to the system log:{' '}
        <code>
          Accepted publickey for {user} from … ssh2: ED25519 {key.fingerprint}
        </code>
        .
      </p>

      {blocked ? null : (
        <>
          {place.kind === 'directory' ? (
            <p className="hint">{additionTakesEffect(place)}</p>
          ) : (
            <p className="ok-text">
              sshd accepts your authorized_keys as it is (owner and modes are fine).
            </p>
          )}
          <div className="action-row step-actions">
            <button type="button" className="button button-primary" onClick={onFinish}>
              Finish
            </button>
          </div>
        </>
      )}
    </>
  );
}
