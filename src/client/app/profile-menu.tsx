import { useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { meQueryOptions } from '../api/me-query-options.ts';
import { preloadableLazy } from '../ui/preloadable-lazy.tsx';
import type { OpenRequest } from './profile-menu-dropdown.tsx';

// Radix's menu code would be about a fifth of the first load: it loads on the first touch.
const ProfileMenuDropdown = preloadableLazy(() =>
  import('./profile-menu-dropdown.tsx').then((module) => module.ProfileMenuDropdown),
);

/**
 * The upper-right profile menu: the signed-in user's name, the way to the SSH Keys page and to
 * the Seqera onboarding flow ("Get started"), and "Sign out" when Keysmith signed you in (OIDC).
 *
 * Until its first hover, focus or press, this is a stand-in button that looks and reads the
 * same (a menu button, collapsed); that first touch loads the Radix menu, which then replaces
 * the stand-in, keeping the focus, and opens at once if the press came while it loaded.
 */
export function ProfileMenu() {
  const me = useQuery(meQueryOptions());
  const name = me.data?.user ?? (me.isError ? 'Not signed in' : '…');
  const [menu, setMenu] = useState<{ focusTrigger: boolean } | null>(null);
  const [openRequest, setOpenRequest] = useState<OpenRequest>(null);
  const standIn = useRef<HTMLButtonElement>(null);

  const face = (
    <>
      <svg className="avatar" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <circle cx="12" cy="8" r="4" />
        <path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7" />
      </svg>
      <span>{name}</span>
    </>
  );

  if (menu !== null) {
    return (
      <ProfileMenuDropdown
        name={name}
        openRequest={openRequest}
        focusTrigger={menu.focusTrigger}
        canSignOut={me.data?.mode === 'oidc'}
      >
        {face}
      </ProfileMenuDropdown>
    );
  }

  const load = () => {
    // Rendered only once loaded, so preloadableLazy renders it at once, without Suspense.
    ProfileMenuDropdown.preload().then(
      () => setMenu({ focusTrigger: document.activeElement === standIn.current }),
      // The stand-in stays; the next hover, focus or press tries again.
      () => undefined,
    );
  };
  // The first request wins: a mouse press also ends in a click.
  const request = (how: NonNullable<OpenRequest>) => {
    setOpenRequest((current) => current ?? how);
    load();
  };

  // The same keys and buttons as Radix's trigger: a primary press without Ctrl, Enter, Space,
  // ArrowDown. A bare click (assistive technology) opens it too.
  return (
    <button
      ref={standIn}
      type="button"
      className="profile-button"
      aria-label={`Profile menu: ${name}`}
      aria-haspopup="menu"
      aria-expanded={false}
      data-state="closed"
      onPointerEnter={load}
      onFocus={load}
      onPointerDown={(event) => {
        if (event.button !== 0 || event.ctrlKey) return;
        // As Radix does when it opens: the focus goes to the menu, not to the button.
        event.preventDefault();
        request('pointer');
      }}
      onKeyDown={(event) => {
        if (event.key !== 'Enter' && event.key !== ' ' && event.key !== 'ArrowDown') return;
        event.preventDefault();
        request('keyboard');
      }}
      onClick={() => request('keyboard')}
    >
      {face}
    </button>
  );
}
