import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { useQuery } from '@tanstack/react-query';
import { useLocation } from 'wouter';
import { meQueryOptions } from '../api/me-query-options.ts';
import { preloadOnboarding } from '../features/onboarding/lazy-onboarding-page.tsx';

/**
 * The upper-right profile menu: the signed-in user's name, the way to the SSH Keys page and to
 * the Seqera onboarding flow ("Get started").
 */
export function ProfileMenu() {
  const me = useQuery(meQueryOptions());
  const [, navigate] = useLocation();
  const name = me.data?.user ?? (me.isError ? 'Not signed in' : '…');
  // Not modal and not portalled: a menu button needs neither, and so the rest of the page is
  // not aria-hidden while the menu is open, and the menu stays inside the banner landmark.
  return (
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger className="profile-button" aria-label={`Profile menu: ${name}`}>
        <svg className="avatar" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <circle cx="12" cy="8" r="4" />
          <path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7" />
        </svg>
        <span>{name}</span>
      </DropdownMenu.Trigger>
      <DropdownMenu.Content className="menu" align="end" sideOffset={6}>
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
      </DropdownMenu.Content>
    </DropdownMenu.Root>
  );
}
