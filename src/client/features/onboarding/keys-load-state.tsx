import type { ReactNode } from 'react';

interface KeysLoadStateProps {
  /** The failure, or null while the key list is still loading. */
  error: Error | null;
  /** The button that asks for the list again after a failure. */
  retry: ReactNode;
}

/** What a step that needs the key list shows until it has one: loading, or why it failed. */
export function KeysLoadState({ error, retry }: KeysLoadStateProps) {
  if (error === null) {
    return (
      <p role="status" className="loading">
        Loading your SSH keys…
      </p>
    );
  }
  return (
    <div role="alert" className="error-box">
      <p>Could not load your SSH keys: {error.message}</p>
      {retry}
    </div>
  );
}
