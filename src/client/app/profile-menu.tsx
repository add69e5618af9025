import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { useQuery } from '@tanstack/react-query';
import { useLocation } from 'wouter';
import { meQueryOptions } from '../api/me-query-options.ts';

/** The upper-right profile menu: the signed-in user's name, and the way to the SSH Keys page. */
export function ProfileMenu() {
  const me = useQuery(meQueryOptions());
  const [, navigate] = useLocation();
  const name = me.data?.user ?? (me.isError ? 'Not signed in' : '…');
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger className="profile-button" aria-label={`Profile menu: ${name}`}>
        <span className="avatar" aria-hidden="true">
          {name.slice(0, 1).toUpperCase()}
        </span>
        <span>{name}</span>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="menu" align="end" sideOffset={6}>
          <DropdownMenu.Label className="menu-label">Signed in as {name}</DropdownMenu.Label>
          <DropdownMenu.Separator className="menu-separator" />
          <DropdownMenu.Item className="menu-item" onSelect={() => navigate('/ssh-keys')}>
            SSH Keys
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
