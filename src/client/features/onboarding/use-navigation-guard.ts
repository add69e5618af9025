import { useEffect } from 'react';
import { useLocation } from 'wouter';
import {
  navigationGuard,
  type LeaveHandler,
  type NavigationGuard,
} from '../../app/navigation-guard.ts';

/**
 * While `onLeave` is set, every in-app way out of the page at `path` asks it first: links and
 * `navigate` (the router's guardedNavigation), and the browser's back and forward buttons (the
 * guard's popstate listener, which runs before wouter's): the page is put back until `onLeave`
 * lets go. Leaving the document (reload, closing the tab) is the page's
 * `beforeunload` to handle. Pass a stable function (useCallback), or null for no guard.
 */
export function useNavigationGuard(path: string, onLeave: LeaveHandler | null) {
  const [, navigate] = useLocation();
  useEffect(() => {
    if (onLeave === null) return;
    const guard: NavigationGuard = {
      path,
      onLeave,
      onPopState: (event) => {
        if (window.location.pathname === path) return;
        const to = `${window.location.pathname}${window.location.search}${window.location.hash}`;
        // wouter never hears of this history step, so the guarded page stays rendered.
        event.stopImmediatePropagation();
        navigate(path);
        onLeave(to, () => {
          navigationGuard.current = null;
          navigate(to);
        });
      },
    };
    navigationGuard.current = guard;
    return () => {
      if (navigationGuard.current === guard) navigationGuard.current = null;
    };
  }, [navigate, path, onLeave]);
}
