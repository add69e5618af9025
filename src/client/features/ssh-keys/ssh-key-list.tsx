import type { FileWarning, IgnoredLine, SshKey } from '../../../api/ssh-keys.ts';
import { useCallback, useState } from 'react';
import { CopyButton } from '../../ui/copy-button.tsx';
import { rowId, SshKeyRow, type KeyRowActions } from './ssh-key-row.tsx';

/** What would make sshd ignore the file, each with the command that fixes it. */
export function FileWarnings({ warnings, path }: { warnings: FileWarning[]; path: string }) {
  if (warnings.length === 0) return null;
  return (
    <section className="danger-box" aria-labelledby="file-warnings-title">
      <h2 id="file-warnings-title" className="section-title">
        sshd will ignore {path}
      </h2>
      <ul className="warning-list">
        {warnings.map((warning) => (
          <li key={`${warning.code}:${warning.fix}`}>
            <p>{warning.message}</p>
            <p>
              Fix: <code className="command">{warning.fix}</code>{' '}
              <CopyButton
                text={warning.fix}
                label="Copy"
                accessibleLabel={`Copy the command: ${warning.fix}`}
              />
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Lines that look like keys but that sshd ignores: shown, never hidden. */
export function IgnoredLines({ lines, path }: { lines: IgnoredLine[]; path: string }) {
  if (lines.length === 0) return null;
  return (
    <section className="danger-box" aria-labelledby="ignored-lines-title">
      <h2 id="ignored-lines-title" className="section-title">
        Lines of {path} that sshd ignores
      </h2>
      <ul className="warning-list">
        {lines.map((line) => (
          <li key={line.line}>
            Line {line.line}: {line.message}
          </li>
        ))}
      </ul>
    </section>
  );
}

const NO_PROBLEMS: readonly string[] = [];

/** The keys of authorized_keys, Keysmith's and everyone else's: one row each, details on demand. */
export function SshKeyList({
  keys,
  label = 'SSH keys',
  now,
  lastUseTracked = false,
  problems,
  actions,
}: {
  keys: readonly SshKey[];
  label?: string;
  /** What expiry and last use are relative to; the time of the first render by default. */
  now?: Date;
  /** The server reads sshd's log: a key without a last use was never used. */
  lastUseTracked?: boolean;
  /** The site policy's complaints, by line. */
  problems?: ReadonlyMap<number, readonly string[]>;
  /** Without them, the rows have no buttons (the onboarding flow shows one key, read-only). */
  actions?: KeyRowActions;
}) {
  const [firstRender] = useState(() => new Date());
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = useCallback((id: string) => {
    setExpanded((previous) => {
      const next = new Set(previous);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  }, []);
  return (
    <ul className="key-list" aria-label={label}>
      {keys.map((key) => (
        <SshKeyRow
          key={key.line}
          sshKey={key}
          now={now ?? firstRender}
          lastUseTracked={lastUseTracked}
          problems={problems?.get(key.line) ?? NO_PROBLEMS}
          expanded={expanded.has(rowId(key))}
          onToggle={toggle}
          actions={actions}
        />
      ))}
    </ul>
  );
}
