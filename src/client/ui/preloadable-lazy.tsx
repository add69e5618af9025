import { lazy, Suspense, useState, type ComponentType, type ReactNode } from 'react';
import { LoadErrorBoundary, ModuleLoadError } from './load-error-boundary.tsx';

/** A lazily loaded component plus a way to start loading it before it is first rendered. */
export type PreloadableComponent<P extends object> = ComponentType<P> & {
  /** Starts loading the module (again only after a failure); call it on hover or focus. */
  preload: () => Promise<unknown>;
};

/**
 * Like React.lazy, but once the module has loaded the component renders at once, without a
 * Suspense round: React.lazy suspends on its first render even when the import has already
 * settled, and a dialog that appears one frame late would catch keys meant for it elsewhere.
 * While the module loads, `fallback` is shown (nothing by default: a dialog's chunk is small
 * and comes from localhost); if it fails, LoadErrorBoundary says why and offers Reload or Retry.
 */
export function preloadableLazy<P extends object>(
  load: () => Promise<ComponentType<P>>,
  fallback: ReactNode = null,
): PreloadableComponent<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<ComponentType<P>> | null = null;
  const preload = () => {
    loading ??= load().then(
      (component) => {
        loaded = component;
        return component;
      },
      (error: unknown) => {
        // A failed load (a new deploy, a lost network) may be tried again by the next call.
        loading = null;
        throw new ModuleLoadError(error);
      },
    );
    return loading;
  };
  // React.lazy keeps a failure for good: a retry needs a new one.
  const lazyComponent = () => lazy(() => preload().then((component) => ({ default: component })));
  function Preloadable(props: P) {
    // Chosen once per mount: switching from the Suspense path to the direct one later would
    // remount the component and lose its state.
    const [Loaded] = useState(() => loaded);
    const [attempt, setAttempt] = useState(() => ({ count: 0, Lazy: lazyComponent() }));
    if (Loaded) return <Loaded {...props} />;
    const { Lazy } = attempt;
    return (
      <LoadErrorBoundary
        key={attempt.count}
        onRetry={() => setAttempt(({ count }) => ({ count: count + 1, Lazy: lazyComponent() }))}
      >
        <Suspense fallback={fallback}>
          <Lazy {...props} />
        </Suspense>
      </LoadErrorBoundary>
    );
  }
  return Object.assign(Preloadable, { preload });
}
