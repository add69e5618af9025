/**
 * What Seqera Platform's SSH credential takes, built in the page (REFERENCE.md, "Seqera Platform
 * SSH credentials"; Seqera's docs: "Create an SSH credential in Seqera" and the
 * `POST /credentials` reference). Nothing here is ever sent to the Keysmith server.
 */

/** Seqera's rule for a credential name: "1-100 alphanumeric, dash, or underscore characters". */
export const SEQERA_NAME_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

/** Seqera Cloud's API; Seqera Enterprise installs have their own. */
export const DEFAULT_SEQERA_API_URL = 'https://api.cloud.seqera.io';

/**
 * A credential name for `user` that Seqera accepts: `seqera-<user>` with every run of other
 * characters (a `.` or `@` in a local account name) turned into one `-`, at most 100
 * characters, and not one of `taken` (names already in the user's authorized_keys): then
 * suffixed `-2`, `-3`, …
 */
export function seqeraCredentialName(user: string, taken: ReadonlySet<string> = new Set()): string {
  const cleaned = user.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  const base = (cleaned === '' ? 'seqera' : `seqera-${cleaned}`).slice(0, 100);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) {
    const suffix = `-${n}`;
    const candidate = `${base.slice(0, 100 - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * The user's Seqera keys in the list: those named as this flow names them, `seqera-<user>` or
 * `seqera-<user>-N`, newest first (by the date Keysmith added them).
 */
export function seqeraKeysOf<K extends { name: string | null; addedAt: string | null }>(
  keys: readonly K[],
  user: string,
): K[] {
  const base = seqeraCredentialName(user);
  return keys
    .filter((key) => key.name !== null && (key.name === base || isNumbered(key.name, base)))
    .sort((a, b) => (b.addedAt ?? '').localeCompare(a.addedAt ?? ''));
}

function isNumbered(name: string, base: string): boolean {
  return name.startsWith(`${base}-`) && /^[2-9]\d*$/.test(name.slice(base.length + 1));
}

/** Days a Seqera key lives unless the site allows fewer: a forgotten key stops by itself. */
export const SEQERA_KEY_DAYS = 90;

/** Days a Seqera key lives: 90, or the site's maximum when that is shorter (`--policy`). */
export function seqeraKeyDays(maxLifetimeDays: number | null): number {
  return maxLifetimeDays === null ? SEQERA_KEY_DAYS : Math.min(SEQERA_KEY_DAYS, maxLifetimeDays);
}

function checkName(name: string): void {
  if (!SEQERA_NAME_PATTERN.test(name)) {
    throw new RangeError(
      `"name" must be 1–100 letters, digits, "-" or "_" (Seqera's rule); got ${JSON.stringify(name)}.`,
    );
  }
}

/** Where the flow suggests saving the private key for `tw` and `ssh-add`: `~/.ssh/<name>`. */
export function privateKeyPath(name: string): string {
  checkName(name);
  return `~/.ssh/${name}`;
}

/**
 * The Seqera CLI's equivalent of the form: `tw credentials add ssh -n NAME -k FILE [-p]`, where
 * `-p` makes tw ask for the passphrase (so it is not in the shell history). The name and the
 * path need no shell quoting: the name is limited to `[A-Za-z0-9_-]`.
 */
export function twCredentialsCommand(name: string, encrypted: boolean): string {
  return `tw credentials add ssh -n ${name} -k ${privateKeyPath(name)}${encrypted ? ' -p' : ''}`;
}

/**
 * The JSON body of Seqera's `POST /credentials?workspaceId=…`:
 * `{"credentials":{"name","provider":"ssh","keys":{"privateKey","passphrase"}}}`. The private
 * key is the whole file with its BEGIN/END lines; `passphrase` is left out for a key without
 * one (the form's "leave blank").
 */
export function credentialsRequestBody(options: {
  name: string;
  privateKey: string;
  passphrase: string;
}): string {
  checkName(options.name);
  const keys: { privateKey: string; passphrase?: string } = { privateKey: options.privateKey };
  if (options.passphrase !== '') keys.passphrase = options.passphrase;
  return JSON.stringify({ credentials: { name: options.name, provider: 'ssh', keys } }, null, 2);
}

/**
 * The URL of `POST /credentials` on a Seqera API: workspaceId is left out for the personal
 * workspace. Throws a TypeError naming what to fix for an API URL that is not http(s), or a
 * workspace id that is not a number.
 */
export function credentialsUrl(apiUrl: string, workspaceId: string): string {
  let base: URL;
  try {
    base = new URL(apiUrl);
  } catch {
    throw new TypeError(
      `"${apiUrl}" is not a URL. Enter the API address, such as ${DEFAULT_SEQERA_API_URL}.`,
    );
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new TypeError(`The API URL must start with https://, such as ${DEFAULT_SEQERA_API_URL}.`);
  }
  if (workspaceId !== '' && !/^\d{1,19}$/.test(workspaceId)) {
    throw new TypeError(
      'A workspace id is a number (Seqera shows it in the workspace settings). Leave it empty for your personal workspace.',
    );
  }
  const url = new URL(`${base.pathname.replace(/\/+$/, '')}/credentials`, base);
  if (workspaceId !== '') url.searchParams.set('workspaceId', workspaceId);
  return url.toString();
}

/** The line `ssh-add -l` (and `ssh-keygen -lf`) prints for an ed25519 key (ssh-keygen(1)). */
export function sshAddListLine(fingerprint: string, comment: string): string {
  return `256 ${fingerprint} ${comment === '' ? 'no comment' : comment} (ED25519)`;
}

/** The first and last lines of a private key file and how many lines lie between. */
export function privateKeyPreview(privateKey: string): string {
  const lines = privateKey.split('\n').filter((line) => line !== '');
  if (lines.length <= 2) return lines.join('\n');
  return `${lines[0] ?? ''}\n… ${lines.length - 2} lines of base64 …\n${lines.at(-1) ?? ''}`;
}
