import { Component, type ReactNode } from 'react';

/** A lazily loaded module that did not arrive: the one error this boundary explains. */
export class ModuleLoadError extends Error {
  constructor(cause: unknown) {
    super('A part of the page did not load.', { cause });
    this.name = 'ModuleLoadError';
  }
}

interface LoadErrorBoundaryProps {
  children: ReactNode;
  /** Loads the module afresh: for a server that was down and may be back. */
  onRetry: () => void;
}

/** "checking" while the server is asked whether it is there at all. */
type LoadErrorState = { failure: null | 'checking' | 'updated' | 'unreachable'; error: unknown };

/**
 * Where a lazily loaded part of the page (a dialog, the onboarding flow) failed to load, says
 * why and what helps instead of leaving an empty page: a server that answers but lacks the
 * chunk was upgraded while the tab was open (Reload), one that does not answer is down (Retry).
 */
export class LoadErrorBoundary extends Component<LoadErrorBoundaryProps, LoadErrorState> {
  override state: LoadErrorState = { failure: null, error: null };

  static getDerivedStateFromError(error: unknown): LoadErrorState {
    return { failure: 'checking', error };
  }

  override componentDidCatch(error: unknown) {
    if (!(error instanceof ModuleLoadError)) return;
    // The page itself is served to anyone (no sign-in): any answer means the server is up.
    fetch('/', { method: 'HEAD', cache: 'no-store' }).then(
      () => this.setState({ failure: 'updated' }),
      () => this.setState({ failure: 'unreachable' }),
    );
  }

  override render() {
    const { failure, error } = this.state;
    if (failure === null) return this.props.children;
    // Not a failed load but a bug in the part itself: for a boundary further up.
    if (!(error instanceof ModuleLoadError)) throw error;
    if (failure === 'checking') return null;
    return (
      <div role="alert" className="load-error">
        {failure === 'updated' ? (
          <>
            <p>Keysmith was updated: reload the page.</p>
            <button
              type="button"
              className="button button-primary"
              onClick={() => window.location.reload()}
            >
              Reload
            </button>
          </>
        ) : (
          <>
            <p>Keysmith is not reachable: check that it is running, then try again.</p>
            <button type="button" className="button button-primary" onClick={this.props.onRetry}>
              Retry
            </button>
          </>
        )}
      </div>
    );
  }
}
