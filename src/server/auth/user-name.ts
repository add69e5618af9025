/** What a signed-in user's name may be, checked by every way of signing in before any use. */

/**
 * A user name as sites have them (`jane.doe` from Active Directory through SSSD, `J_Smith`)
 * that is still safe as one path component (`%u`) and as an argument: POSIX's portable
 * filename characters (IEEE 1003.1 §3.282), no leading `.` or `-` (so never `.`, `..` or an
 * option), not all digits (getent would read a uid), at most 64 characters. The passwd database
 * decides whether the account exists.
 */
export const USER_NAME_PATTERN = /^(?![0-9]+$)[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

/** USER_NAME_PATTERN in words, for messages. */
export const USER_NAME_RULE =
  'letters, digits, ".", "_" and "-", at most 64, not starting with "." or "-" and not all digits';
