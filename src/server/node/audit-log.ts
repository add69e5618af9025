/**
 * The audit trail's writer (`--audit-log PATH`, or `-` for standard output): one JSON line per
 * event, each written with a single write(2) on a descriptor opened O_APPEND, so lines from
 * this and any other writer never interleave and nothing already in the file is rewritten.
 */
import fs from 'node:fs';
import { auditEventSchema, type AuditEvent } from '../http/audit-event.ts';

export interface AuditLog {
  write(event: AuditEvent): void;
  close(): void;
}

/**
 * Opens the audit log for appending (created 0600 when missing). Throws when it cannot be
 * opened, so a server that was asked to keep a trail does not start without one.
 */
export function openAuditLog(target: string): AuditLog {
  const fd = target === '-' ? null : fs.openSync(target, 'a', 0o600);
  return {
    write(event) {
      // The schema is strict: a field added by mistake (a key, a token) fails here, not in the file.
      const line = Buffer.from(`${JSON.stringify(auditEventSchema.parse(event))}\n`, 'utf8');
      try {
        if (fd === null) process.stdout.write(line);
        else fs.writeSync(fd, line);
      } catch (error) {
        process.stderr.write(
          `keysmith: cannot write to the audit log ${target} (${error instanceof Error ? error.message : String(error)}); check its disk and permissions.\n`,
        );
      }
    },
    close() {
      if (fd !== null) fs.closeSync(fd);
    },
  };
}
