import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { useEffect, useRef, type ReactNode } from 'react';
import { useLocation } from 'wouter';
import { preloadOnboarding } from '../features/onboarding/lazy-onboarding-page.tsx';
import { signOut } from './profile-menu-sign-out.ts';

/** How the person asked for the menu before this module had loaded, if they did. */
export type OpenRequest = 'pointer' | 'keyboard' | null;

/**
 * The profile menu itself (Radix DropdownMenu), loaded on the first hover, focus or press of
 * the profile button's stand-in (see profile-menu.tsx), which it then replaces.
 */
export function ProfileMenuDropdown({
  name,
  openRequest,
  focusTrigger,
  canSignOut = false,
  children,
}: {
  name: string;
  /** Open at once: the press that asked for the menu came while this module loaded. */
  openRequest: OpenRequest;
  /** The stand-in button had the focus: keep it on the button that replaces it. */
  focusTrigger: boolean;
  /** Keysmith signed this person in itself (OIDC mode), so it can sign them out. */
  canSignOut?: boolean;
  /** The button's face (avatar and name), the same as the stand-in's. */
  children: ReactNode;
}) {
  const [, navigate] = useLocation();
  const content = useRef<HTMLDivElement>(null);
  const openedBy = useRef(openRequest);
  // Radix focuses the first item when its own trigger opened the menu from the keyboard; a menu
  // that mounts open cannot know how it was asked for, so that first opening does it here.
  // (Radix's own mount effect, a child's, has run by now and focused the menu.)
  useEffect(() => {
    if (openedBy.current !== 'keyboard') return;
    content.current
      ?.querySelector<HTMLElement>('[role="menuitem"]')
      ?.focus({ preventScroll: true });
  }, []);
  // Not modal and not portalled: a menu button needs neither, and so the rest of the page is
  // not aria-hidden while the menu is open, and the menu stays inside the banner landmark.
  return (
    <DropdownMenu.Root modal={false} defaultOpen={openRequest !== null}>
      <DropdownMenu.Trigger
        className="profile-button"
        aria-label={`Profile menu: ${name}`}
        autoFocus={focusTrigger && openRequest === null}
      >
        {children}
      </DropdownMenu.Trigger>
      <DropdownMenu.Content ref={content} className="menu" align="end" sideOffset={6}>
        <DropdownMenu.Label className="menu-label">Signed in as {name}</DropdownMenu.Label>
        <DropdownMenu.Separator className="menu-separator" />
        <DropdownMenu.Item
          className="menu-item"
          onFocus={preloadOnboarding}
          onSelect={() => navigate('/get-started')}
        >
          Get started
        </DropdownMenu.Item>
        <DropdownMenu.Item className="menu-item" onSelect={() => navigate('/ssh-keys')}>
          SSH Keys
        </DropdownMenu.Item>
        {canSignOut && (
          <>
            <DropdownMenu.Separator className="menu-separator" />
            <DropdownMenu.Item
              className="menu-item"
              onSelect={() =>
                void signOut((url) => window.location.assign(url)).then((problem) => {
                  if (problem !== null) window.alert(problem);
                })
              }
            >
              Sign out
            </DropdownMenu.Item>
          </>
        )}
      </DropdownMenu.Content>
    </DropdownMenu.Root>
  );
}
