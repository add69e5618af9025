import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'wouter';
import type { SshKey } from '../../../api/ssh-keys.ts';
import { canRetry } from '../../api/fetch-json.ts';
import { policyQueryOptions } from '../../api/policy-query-options.ts';
import { preloadableLazy } from '../../ui/preloadable-lazy.tsx';
import { preloadOnboarding } from '../onboarding/lazy-onboarding-page.tsx';
import { DirectoryCacheNote } from './directory-cache-note.tsx';
import type { GeneratedKey } from './generated-key.ts';
import { useKeyFocus, type KeyFocusActions } from './key-focus.ts';
import { SearchableKeyList } from './searchable-key-list.tsx';
import { FileWarnings, IgnoredLines } from './ssh-key-list.tsx';
import type { KeyRowActions } from './ssh-key-row.tsx';
import { sshKeysQueryOptions } from './ssh-keys-query-options.ts';

// The dialogs, and with them the crypto code and tweetnacl, load on demand to keep the first
// load small; hovering or focusing the button that opens one starts it.
const GenerateKeyDialog = preloadableLazy(() =>
  import('./generate-key-dialog.tsx').then((module) => module.GenerateKeyDialog),
);
const KeyGeneratedDialog = preloadableLazy(() =>
  import('./key-generated-dialog.tsx').then((module) => module.KeyGeneratedDialog),
);
const ImportKeyDialog = preloadableLazy(() =>
  import('./import-key-dialog.tsx').then((module) => module.ImportKeyDialog),
);
const DeleteKeyDialog = preloadableLazy(() =>
  import('./delete-key-dialog.tsx').then((module) => module.DeleteKeyDialog),
);
const RemoveExpiredDialog = preloadableLazy(() =>
  import('./remove-expired-dialog.tsx').then((module) => module.RemoveExpiredDialog),
);
const ReplaceKeyDialog = preloadableLazy(() =>
  import('./replace-key-dialog.tsx').then((module) => module.ReplaceKeyDialog),
);

function preloadGenerate() {
  void GenerateKeyDialog.preload();
  void KeyGeneratedDialog.preload();
}
function preloadImport() {
  void ImportKeyDialog.preload();
}
function preloadRowAction(action: 'delete' | 'replace') {
  if (action === 'delete') void DeleteKeyDialog.preload();
  else void ReplaceKeyDialog.preload();
}
function preloadRemoveExpired() {
  void RemoveExpiredDialog.preload();
}

/** At most one dialog at a time; the private key exists only inside "generated". */
type DialogState =
  | { kind: 'none' }
  | { kind: 'generate' }
  | { kind: 'generated'; generated: GeneratedKey }
  | { kind: 'import' }
  | { kind: 'delete'; key: SshKey }
  | { kind: 'remove-expired'; keys: readonly SshKey[] }
  | { kind: 'replace'; key: SshKey };

/**
 * The SSH Keys page: the keys of ~/.ssh/authorized_keys (or of the user's directory entry), and
 * the ways to add and remove them.
 */
export function SshKeysPage() {
  const keys = useQuery(sshKeysQueryOptions());
  // Without a policy (an older server, a failed request) nothing is flagged; the server still
  // enforces it on every add.
  const policy = useQuery(policyQueryOptions());
  const [dialog, setDialog] = useState<DialogState>({ kind: 'none' });
  const { announcement, keyFocus } = useKeyFocus();
  // Stable, so that opening a dialog does not re-render the list.
  const rowActions = useMemo<KeyRowActions>(
    () => ({
      onDelete: (key) => {
        keyFocus.deleting(key.fingerprint);
        setDialog({ kind: 'delete', key });
      },
      onReplace: (key) => setDialog({ kind: 'replace', key }),
      onIntent: preloadRowAction,
    }),
    [keyFocus],
  );
  const removeExpired = useMemo(
    () => (expired: readonly SshKey[]) => setDialog({ kind: 'remove-expired', keys: expired }),
    [],
  );
  const listedAt = useMemo(() => new Date(keys.dataUpdatedAt), [keys.dataUpdatedAt]);
  const close = () => setDialog({ kind: 'none' });
  const openGenerate = () => {
    keyFocus.opening();
    setDialog({ kind: 'generate' });
  };
  // Shown in the header only beside a list: the empty state has its own, and buttons that
  // move while the list loads would catch a click meant for something else.
  const hasKeys = keys.isSuccess && keys.data.keys.length > 0;

  return (
    <section className="page" aria-labelledby="ssh-keys-title">
      <div className="page-head">
        <h1 id="ssh-keys-title" className="page-title" tabIndex={-1}>
          SSH Keys
        </h1>
        {hasKeys && (
          <AddKeyButtons onGenerate={openGenerate} onImport={() => setDialog({ kind: 'import' })} />
        )}
      </div>
      <p className="page-intro">
        Keys that can log in as you over SSH
        {keys.data ? (
          <>
            , from <code>{keys.data.path}</code>
          </>
        ) : null}
        . New keys are made in this browser; only their public half is sent to the server.
      </p>

      {keys.isPending ? (
        <p role="status" className="loading">
          Loading SSH keys…
        </p>
      ) : keys.isError ? (
        <div role="alert" className="error-box">
          <p>Could not load your SSH keys: {keys.error.message}</p>
          {canRetry(keys.error) && (
            <button
              type="button"
              className="button button-secondary"
              disabled={keys.isFetching}
              onClick={() => void keys.refetch()}
            >
              Retry
            </button>
          )}
        </div>
      ) : (
        <>
          <DirectoryCacheNote minutes={keys.data.directoryCacheMinutes} />
          <FileWarnings warnings={keys.data.warnings} path={keys.data.path} />
          <IgnoredLines lines={keys.data.ignoredLines} path={keys.data.path} />
          {keys.data.keys.length === 0 ? (
            <div className="empty">
              <p className="empty-title">No SSH keys found</p>
              <p>
                First time, and Seqera Platform should reach this cluster as you?{' '}
                <Link
                  href="/get-started"
                  className="button button-secondary"
                  onPointerEnter={preloadOnboarding}
                  onFocus={preloadOnboarding}
                >
                  Get started
                </Link>
              </p>
              <AddKeyButtons
                onGenerate={openGenerate}
                onImport={() => setDialog({ kind: 'import' })}
              />
            </div>
          ) : (
            <SearchableKeyList
              list={keys.data}
              now={listedAt}
              policy={policy.data}
              actions={rowActions}
              onRemoveExpired={removeExpired}
              onRemoveExpiredIntent={preloadRemoveExpired}
            />
          )}
        </>
      )}

      <p aria-live="polite" className="visually-hidden">
        {announcement}
      </p>
      {renderDialog(dialog, setDialog, close, keyFocus)}
    </section>
  );
}

function AddKeyButtons({ onGenerate, onImport }: { onGenerate: () => void; onImport: () => void }) {
  return (
    <div className="page-actions">
      <button
        type="button"
        className="button button-secondary"
        onPointerEnter={preloadImport}
        onFocus={preloadImport}
        onClick={onImport}
      >
        Import Key
      </button>
      <button
        type="button"
        className="button button-primary"
        onPointerEnter={preloadGenerate}
        onFocus={preloadGenerate}
        onClick={onGenerate}
      >
        + New Key
      </button>
    </div>
  );
}

function renderDialog(
  dialog: DialogState,
  setDialog: (state: DialogState) => void,
  close: () => void,
  keyFocus: KeyFocusActions,
) {
  switch (dialog.kind) {
    case 'none':
      return null;
    case 'generate':
      return (
        <GenerateKeyDialog
          onCancel={close}
          onGenerated={(generated) => setDialog({ kind: 'generated', generated })}
        />
      );
    case 'generated':
      return (
        <KeyGeneratedDialog
          generated={dialog.generated}
          onClose={(removed) => {
            if (removed) keyFocus.discarded('ssh-keys-title');
            else keyFocus.added(dialog.generated);
            close();
          }}
        />
      );
    case 'import':
      return (
        <ImportKeyDialog
          onDone={(added) => {
            if (added) keyFocus.added(added);
            close();
          }}
        />
      );
    case 'delete':
      return (
        <DeleteKeyDialog
          sshKey={dialog.key}
          onDone={(deleted) => {
            if (deleted) keyFocus.deleted('ssh-keys-title');
            close();
          }}
        />
      );
    case 'remove-expired':
      return (
        <RemoveExpiredDialog
          keys={dialog.keys}
          onDone={(removed) => {
            // The button that opened the dialog is gone once no expired key is left.
            if (removed) keyFocus.deleted('ssh-keys-title');
            close();
          }}
        />
      );
    case 'replace':
      return (
        <ReplaceKeyDialog
          sshKey={dialog.key}
          onDone={(replacement) => {
            // The Replace button that opened the dialog may be gone with the old key's row.
            if (replacement !== null) keyFocus.added(replacement);
            close();
          }}
        />
      );
    default:
      return dialog satisfies never;
  }
}
