import { useEffect, useState } from 'react';

type CopyState = 'idle' | 'copied' | 'failed';

interface CopyButtonProps {
  text: string;
  /** The button's visible text, e.g. "Copy Private Key". */
  label: string;
  /** Accessible name when the visible label alone is ambiguous (e.g. "Copy fingerprint of …"). */
  accessibleLabel?: string;
  onCopied?: () => void;
  className?: string;
}

/**
 * Copies to the clipboard and says so visibly ("Copied") and to screen readers (role=status),
 * or says what to do when the browser refuses (no clipboard outside a secure context).
 */
export function CopyButton({ text, label, accessibleLabel, onCopied, className }: CopyButtonProps) {
  const [state, setState] = useState<CopyState>('idle');
  useEffect(() => {
    if (state !== 'copied') return;
    const timer = setTimeout(() => setState('idle'), 4000);
    return () => clearTimeout(timer);
  }, [state]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
      onCopied?.();
    } catch {
      setState('failed');
    }
  }

  return (
    <span className="copy">
      <button
        type="button"
        className={className ?? 'button button-secondary'}
        aria-label={accessibleLabel}
        onClick={() => void copy()}
      >
        {label}
      </button>
      <span role="status" className={state === 'failed' ? 'copy-status error-text' : 'copy-status'}>
        {state === 'copied'
          ? 'Copied'
          : state === 'failed'
            ? 'Copy failed: select the text and copy it by hand.'
            : ''}
      </span>
    </span>
  );
}
