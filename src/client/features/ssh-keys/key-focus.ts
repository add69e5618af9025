import { useEffect, useRef, useState } from 'react';

/** What gets focus once the list shows it: a key's row, the page heading, or an element. */
type FocusTarget =
  { fingerprint: string } | { heading: string } | { element: HTMLElement; orHeading: string };

/** A row of the list: each carries its key's fingerprint (ssh-key-row.tsx). */
function rowOf(fingerprint: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`[data-fingerprint="${fingerprint}"]`);
}

/** The moments that move focus; the same functions for the page's whole life. */
export interface KeyFocusActions {
  /** Before "+ New Key" opens its dialogs: remember what to return to if no key is kept. */
  opening: () => void;
  /**
   * The new key was discarded unsaved: back to what opened "+ New Key", or to the heading
   * `headingId` when the list changed under it (the empty state's button is gone).
   */
  discarded: (headingId: string) => void;
  /** A key was added: announce it, then scroll to its row and focus it once it is listed. */
  added: (key: { name: string | null; fingerprint: string }) => void;
  /** Before a delete: remember the row to focus after it (the next one, else the one before). */
  deleting: (fingerprint: string) => void;
  /** After a delete: focus the remembered row, or the heading `headingId` when none is left. */
  deleted: (headingId: string) => void;
}

/**
 * Where focus goes after the SSH Keys page's dialogs, for keyboard and screen reader users:
 * to a new key's row, or after a delete to the next key's row. A closed dialog otherwise
 * returns focus to what opened it (ui/return-focus.ts).
 */
export function useKeyFocus(): { announcement: string; keyFocus: KeyFocusActions } {
  const [announcement, setAnnouncement] = useState('');
  const target = useRef<FocusTarget | null>(null);
  const neighbour = useRef<string | null>(null);
  // Two dialogs in a row (generate, then the key): the second cannot know who opened the first.
  const opener = useRef<HTMLElement | null>(null);
  // After every render: the row of a new key appears only once the list is fetched again.
  useEffect(() => {
    const wanted = target.current;
    if (wanted === null) return;
    const element =
      'element' in wanted
        ? wanted.element.isConnected
          ? wanted.element
          : document.getElementById(wanted.orHeading)
        : 'heading' in wanted
          ? document.getElementById(wanted.heading)
          : rowOf(wanted.fingerprint);
    if (element === null) return;
    target.current = null;
    element.scrollIntoView({ block: 'nearest' });
    (element.querySelector('button') ?? element).focus();
  });
  const [keyFocus] = useState<KeyFocusActions>(() => ({
    opening() {
      opener.current =
        document.activeElement instanceof HTMLElement ? document.activeElement : null;
    },
    discarded(headingId: string) {
      const element = opener.current;
      opener.current = null;
      target.current =
        element === null ? { heading: headingId } : { element, orHeading: headingId };
    },
    added(key: { name: string | null; fingerprint: string }) {
      target.current = { fingerprint: key.fingerprint };
      setAnnouncement(key.name === null ? 'Key added.' : `Key added: ${key.name}.`);
    },
    deleting(fingerprint: string) {
      const rows = [...document.querySelectorAll<HTMLElement>('[data-fingerprint]')];
      const index = rows.findIndex((row) => row.dataset.fingerprint === fingerprint);
      const next = index === -1 ? undefined : (rows[index + 1] ?? rows[index - 1]);
      neighbour.current = next?.dataset.fingerprint ?? null;
    },
    deleted(headingId: string) {
      const next = neighbour.current;
      neighbour.current = null;
      target.current = next === null ? { heading: headingId } : { fingerprint: next };
      setAnnouncement('Key deleted.');
    },
  }));
  // Said by the page's live region: "Key added: NAME."
  return { announcement, keyFocus };
}
