import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import type { SshKey } from '../../../api/ssh-keys.ts';
import { CopyButton } from '../../ui/copy-button.tsx';
import {
  additionTakesEffect,
  keyPlaceOf,
  keysWhere,
  removalTakesEffect,
} from '../ssh-keys/key-place.ts';
import { sshKeysQueryOptions } from '../ssh-keys/ssh-keys-query-options.ts';
import type { FlowKey, RenewedKey } from './flow-storage.ts';
import { KeysLoadState } from './keys-load-state.tsx';
import { localDay, localTimeOfDay } from './local-dates.ts';
import { RemoveFlowKeyDialog } from './remove-flow-key-dialog.tsx';

/** How often the last step asks for the list while it waits for the first login. */
export const LOGIN_POLL_MS = 5000;

interface DoneStepProps {
  flowKey: FlowKey;
  renews: RenewedKey | null;
  user: string;
}

/**
 * The last step: what is true (the key is in authorized_keys on this host, or in the directory
 * entry SSSD hands to every host), what Seqera still needs (a compute environment: host, user
 * name, work directory), when the key expires, and, when the server reads sshd's log, the first
 * login with the key as it happens.
 */
export function DoneStep({ flowKey, renews, user }: DoneStepProps) {
  const [removingOld, setRemovingOld] = useState(false);
  const keys = useQuery({
    ...sshKeysQueryOptions(),
    // Polls only while a login is awaited and can be seen; the interval ends with the page.
    refetchInterval: (query) => {
      const data = query.state.data;
      const key = data?.keys.find((candidate) => candidate.fingerprint === flowKey.fingerprint);
      return data?.lastUseTracked === true && key !== undefined && key.lastUsedAt === null
        ? LOGIN_POLL_MS
        : false;
    },
  });

  if (keys.isPending || keys.isError) {
    const tryAgain = (
      <button type="button" className="button button-secondary" onClick={() => void keys.refetch()}>
        Try again
      </button>
    );
    return <KeysLoadState error={keys.error} retry={tryAgain} />;
  }
  const key = keys.data.keys.find((candidate) => candidate.fingerprint === flowKey.fingerprint);
  if (!key) {
    return (
      <p role="alert" className="error-box">
        The key <strong>{flowKey.name}</strong> is no longer in <code>{keys.data.path}</code>: it
        was deleted since, and Seqera cannot log in with it. Start over to make a new key.
      </p>
    );
  }
  const old = renews
    ? keys.data.keys.find((candidate) => candidate.fingerprint === renews.fingerprint)
    : undefined;
  const place = keyPlaceOf(keys.data);

  return (
    <>
      {place.kind === 'directory' ? (
        <p className="ok-text">
          The key <strong>{flowKey.name}</strong> is in {keysWhere(place)} (
          <code>{keys.data.path}</code>), restricted to commands: SSSD hands it to sshd on every
          host. {additionTakesEffect(place)}
        </p>
      ) : (
        <p className="ok-text">
          The key <strong>{flowKey.name}</strong> is in <code>{keys.data.path}</code> on this host,
          restricted to commands, and sshd accepts the file.
        </p>
      )}
      {keys.data.lastUseTracked === true && <FirstLogin sshKey={key} />}

      {renews ? (
        <p>
          The compute environments that use the credential <strong>{flowKey.name}</strong> keep
          their settings: with the new key in it, there is nothing else to change in Seqera.
        </p>
      ) : (
        <>
          <h3 className="section-title">What you still set in Seqera</h3>
          <p>
            The credential lets Seqera log in; a compute environment says where. In Seqera, add one
            for this cluster (<strong>Compute Environments</strong> → <strong>Add</strong>, with
            your scheduler as the platform, such as Slurm) or edit yours, and set:
          </p>
          <dl className="seqera-form">
            <div className="seqera-field">
              <dt>Credentials</dt>
              <dd>
                <span className="mono field-value">{flowKey.name}</span>
              </dd>
            </div>
            <div className="seqera-field">
              <dt>Host name</dt>
              <dd>
                <p>This cluster&apos;s login node, the host name you use with ssh.</p>
              </dd>
            </div>
            <div className="seqera-field">
              <dt>User name</dt>
              <dd>
                <span className="mono field-value">{user}</span>{' '}
                <CopyButton text={user} label="Copy" accessibleLabel="Copy user name" />
              </dd>
            </div>
            <div className="seqera-field">
              <dt>Work directory</dt>
              <dd>
                <p>
                  A directory on the cluster&apos;s shared file system where the pipelines write
                  their work files, such as one in your scratch space.
                </p>
              </dd>
            </div>
          </dl>
        </>
      )}

      <p>
        {key.expiresAt === null ? (
          'The key does not expire.'
        ) : (
          <>
            The key stops working on <strong>{localDay(new Date(key.expiresAt))}</strong> (sshd
            refuses it after that). Before then, open Get started again: it offers to renew the key,
            and you edit the credential {flowKey.name} in Seqera.
          </>
        )}{' '}
        It stays on your <Link href="/ssh-keys">SSH Keys</Link> page, where you can delete it when
        Seqera no longer needs it.
      </p>

      {renews &&
        (old ? (
          <div className="renewal-old-key">
            <p>
              The old key <strong>{renews.name}</strong> (
              <span className="mono">{renews.fingerprint}</span>) still logs in. Once Seqera has the
              new key ({keys.data.lastUseTracked === true ? 'its first login above, or ' : ''}a
              pipeline run that works), remove the old one.
            </p>
            <div className="action-row">
              <button
                type="button"
                className="button button-secondary"
                onClick={() => setRemovingOld(true)}
              >
                Remove the old key
              </button>
            </div>
          </div>
        ) : (
          <p className="ok-text">
            The old key {renews.name} is no longer in {keysWhere(place)}:{' '}
            {place.kind === 'directory'
              ? `it stops logging in ${removalTakesEffect(place)}.`
              : 'only the new one logs in.'}
          </p>
        ))}
      {removingOld && old && (
        <RemoveFlowKeyDialog
          fingerprint={old.fingerprint}
          title="Remove the old key?"
          description={
            <>
              This removes the old key <strong>{renews?.name}</strong> (
              <span className="mono">{old.fingerprint}</span>) from {keysWhere(place)}. Do it once
              Seqera has the new key: anything still holding the old one stops logging in{' '}
              {removalTakesEffect(place)}.
            </>
          }
          confirmLabel="Remove the old key"
          onCancel={() => setRemovingOld(false)}
          onRemoved={() => setRemovingOld(false)}
        />
      )}
    </>
  );
}

/** The first login with the key, from sshd's log as the server reads it. */
function FirstLogin({ sshKey }: { sshKey: SshKey }) {
  if (sshKey.lastUsedAt === null) {
    return (
      <p role="status" className="hint">
        Waiting for the first login with this key: run a pipeline in Seqera with this credential.
        This page checks every {LOGIN_POLL_MS / 1000} seconds.
      </p>
    );
  }
  const at = localTimeOfDay(new Date(sshKey.lastUsedAt), new Date());
  return (
    <p role="status" className="ok-text">
      Seqera logged in with this key at {at}
      {sshKey.lastUsedFrom === null ? '' : ` from ${sshKey.lastUsedFrom}`}.
    </p>
  );
}
