import type { AroundNavHandler } from 'wouter';

/**
 * Asked instead of leaving a guarded page for `to` (an in-app path); `go` completes the leave.
 * Not calling `go` stays.
 */
export type LeaveHandler = (to: string, go: () => void) => void;

export interface NavigationGuard {
  /** The guarded page's path: navigating to it is not leaving. */
  path: string;
  onLeave: LeaveHandler;
  /** Sees the browser's back and forward steps before the router does. */
  onPopState?: (event: PopStateEvent) => void;
}

/** The app's one guard: set by the guarded page while it must be asked (useNavigationGuard). */
export const navigationGuard: { current: NavigationGuard | null } = { current: null };

// Added as this module loads, before wouter subscribes: the window's listeners run in the order
// they were added (Chromium runs capture ones no earlier), and wouter re-renders at once.
window.addEventListener('popstate', (event) => navigationGuard.current?.onPopState?.(event));

/**
 * The app router's `aroundNav`: every in-app navigation (links, `navigate`: the header's logo,
 * the profile menu) goes through the guard when a page set one. Small on purpose, as it is part
 * of the first load; the guarded page brings the rest (what the back button does) with its own
 * code.
 */
export const guardedNavigation: AroundNavHandler = (navigate, to, options) => {
  const guard = navigationGuard.current;
  if (guard === null || to === guard.path) {
    navigate(to, options);
    return;
  }
  guard.onLeave(to, () => {
    navigationGuard.current = null;
    navigate(to, options);
  });
};
