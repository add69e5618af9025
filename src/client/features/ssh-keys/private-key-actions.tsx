import { CopyButton } from '../../ui/copy-button.tsx';
import { downloadPrivateKey } from './download-private-key.ts';

interface PrivateKeyActionsProps {
  privateKey: string;
  /** The file name of the download: the key's name. */
  fileName: string;
  copyLabel: string;
  /** The key is shown once: the caller stops warning about losing it after either action. */
  onSaved: (how: 'copied' | 'downloaded') => void;
}

/** Copy and Download, side by side, for a private key that is shown only once. */
export function PrivateKeyActions({
  privateKey,
  fileName,
  copyLabel,
  onSaved,
}: PrivateKeyActionsProps) {
  return (
    <div className="action-row">
      <CopyButton
        text={privateKey}
        label={copyLabel}
        className="button button-primary"
        onCopied={() => onSaved('copied')}
      />
      <button
        type="button"
        className="button button-secondary"
        onClick={() => {
          downloadPrivateKey(privateKey, fileName);
          onSaved('downloaded');
        }}
      >
        Download
      </button>
    </div>
  );
}
