import { useLayoutEffect, useRef } from 'react';

/**
 * Focus back to the element that opened a dialog once it closes. Radix returns focus only to
 * its own Trigger, and these dialogs open from state: without this, focus falls to the page's
 * body. The page may put focus elsewhere first (a new key's row): then it stays there.
 */
export function useReturnFocus(open: boolean): (event: Event) => void {
  const opener = useRef<HTMLElement | null>(null);
  // Before Radix moves focus into the dialog (in an effect), while the opener still has it.
  useLayoutEffect(() => {
    if (open && document.activeElement instanceof HTMLElement) {
      opener.current = document.activeElement;
    }
  }, [open]);
  return (event: Event) => {
    event.preventDefault();
    const target = opener.current;
    opener.current = null;
    const active = document.activeElement;
    const focusLost = active === null || active === document.body || !active.isConnected;
    if (focusLost && target?.isConnected) target.focus();
  };
}
