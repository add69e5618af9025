/**
 * With keys in the site's directory (`--store ldap`), SSSD on each server keeps serving what it
 * fetched until its cache expires: an honest page says when a change reaches every server.
 */
export function DirectoryCacheNote({ minutes }: { minutes: number | undefined }) {
  if (minutes === undefined) return null;
  return (
    <p className="warning-box" role="note">
      Your keys are kept in the site&apos;s directory. Servers cache them: a key you add or delete
      reaches every server within {minutes} {minutes === 1 ? 'minute' : 'minutes'}. If a deleted key
      must stop working sooner, ask your administrator to clear the cache (sss_cache).
    </p>
  );
}
