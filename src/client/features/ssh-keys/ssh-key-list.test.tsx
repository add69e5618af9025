import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { sshKeySchema, type SshKey, type SshKeyWire } from '../../../api/ssh-keys.ts';
import { SshKeyList } from './ssh-key-list.tsx';

// A fixed local time: the words count calendar days in the browser's time zone.
const now = new Date(2026, 11, 6, 10, 0, 0);
const DAY_MS = 24 * 60 * 60 * 1000;

let line = 0;
function key(name: string, fields: Partial<SshKeyWire> = {}): SshKey {
  line += 2;
  return sshKeySchema.parse({
    fingerprint: `SHA256:${name.padEnd(43, 'x')}`,
    type: 'ssh-ed25519',
    bits: 256,
    comment: name,
    publicKey: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 ${name}`,
    access: 'restricted',
    name,
    managed: true,
    line,
    ...fields,
  } satisfies SshKeyWire);
}

function expiringAt(name: string, date: Date, expired = false): SshKey {
  return key(name, { expiresAt: date.toISOString(), ...(expired ? { expired } : {}) });
}

function row(name: string) {
  return screen.getByRole('listitem', { name });
}

describe('expiry words', () => {
  it('counts the days left within 14 days, and says "Expired" once it has passed', () => {
    const at = (days: number, hours = 0) =>
      new Date(now.getTime() + days * DAY_MS + hours * 60 * 60 * 1000);
    render(
      <SshKeyList
        now={now}
        keys={[
          expiringAt('in-13', at(13)),
          expiringAt('in-14', at(14)),
          expiringAt('in-15', at(15)),
          expiringAt('later-today', at(0, 2)),
          // Less than a day away, but on the next calendar day.
          expiringAt('early-tomorrow', new Date(2026, 11, 7, 8, 0)),
          expiringAt('in-2', at(2)),
          // Past, though the server listed it before it passed.
          expiringAt('just-passed', new Date(now.getTime() - 60_000)),
          expiringAt('server-says', at(-3), true),
          key('no-expiry'),
        ]}
      />,
    );
    expect(within(row('in-13')).getByText('Expires in 13 days')).toHaveClass('badge-warning');
    expect(within(row('in-14')).getByText('Expires in 14 days')).toHaveClass('badge-warning');
    expect(within(row('in-15')).getByText('Expires 2026-12-21')).not.toHaveClass('badge');
    expect(within(row('later-today')).getByText('Expires today')).toBeInTheDocument();
    expect(within(row('early-tomorrow')).getByText('Expires tomorrow')).toBeInTheDocument();
    expect(within(row('in-2')).getByText('Expires in 2 days')).toBeInTheDocument();
    expect(within(row('just-passed')).getByText('Expired')).toHaveClass('badge-danger');
    expect(within(row('server-says')).getByText('Expired')).toHaveClass('badge-danger');
    expect(within(row('no-expiry')).getByText('No expiry')).toBeInTheDocument();
  });
});

describe('last use words', () => {
  const used = (name: string, ago: number, from?: string) =>
    key(name, {
      lastUsedAt: new Date(now.getTime() - ago).toISOString(),
      ...(from === undefined ? {} : { lastUsedFrom: from }),
    });

  it('says when and from where a key was last used, and "Never used" only when the log is read', () => {
    const keys = [
      used('three-days', 3 * DAY_MS, '10.1.2.3'),
      used('five-hours', 5 * 60 * 60 * 1000, '2001:db8::7'),
      used('one-minute', 60_000, '10.1.2.3'),
      used('seconds', 20_000),
      used('yesterday', 32 * 60 * 60 * 1000),
      key('idle-key'),
    ];
    const { rerender } = render(<SshKeyList now={now} keys={keys} lastUseTracked />);
    expect(row('three-days')).toHaveTextContent('Last used 3 days ago from 10.1.2.3');
    expect(row('five-hours')).toHaveTextContent('Last used 5 hours ago from 2001:db8::7');
    expect(row('one-minute')).toHaveTextContent('Last used 1 minute ago from 10.1.2.3');
    expect(row('seconds')).toHaveTextContent('Last used just now');
    expect(row('yesterday')).toHaveTextContent('Last used yesterday');
    expect(row('idle-key')).toHaveTextContent('Never used');

    // Without sshd's log, an unknown last use is not "never".
    rerender(<SshKeyList now={now} keys={keys} lastUseTracked={false} />);
    expect(row('idle-key')).not.toHaveTextContent('Never used');
    expect(row('idle-key')).not.toHaveTextContent('Last used');
    expect(row('three-days')).toHaveTextContent('Last used 3 days ago from 10.1.2.3');
  });
});

describe('policy problems', () => {
  it("flags a key in its row with the site policy's reasons", () => {
    const flagged = key('flagged');
    const fine = key('fine');
    render(
      <SshKeyList
        now={now}
        keys={[flagged, fine]}
        problems={
          new Map([[flagged.line, ['Keys may live at most 90 days here: choose an expiry date.']]])
        }
      />,
    );
    expect(row('flagged')).toHaveTextContent(
      "Against this site's policy: Keys may live at most 90 days here: choose an expiry date.",
    );
    expect(row('fine')).not.toHaveTextContent('policy');
  });
});

describe('read-only list', () => {
  it('has no buttons but the details toggle when no actions are given', () => {
    render(<SshKeyList now={now} keys={[key('only')]} label="The key for Seqera" />);
    const list = screen.getByRole('list', { name: 'The key for Seqera' });
    expect(
      within(list)
        .getAllByRole('button')
        .map((button) => button.textContent),
    ).toEqual(['only']);
  });
});
