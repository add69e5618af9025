/** `keysmith serve --help`. */
export const SERVE_HELP = `Usage: keysmith serve [options]

Serves Keysmith: the web app and its API over authorized_keys.

Options:
  --host ADDR              address to listen on (default 127.0.0.1; local mode: loopback only)
  --port N                 port to listen on (default 8022; 0 picks a free port)
  --auth local|proxy|oidc  local: one user, sign-in token in the printed URL (default)
                           proxy: user name from a sign-in proxy's header (several users)
                           oidc: Keysmith signs people in at an OpenID Connect provider
  --user-header NAME       proxy mode: header naming the user (default X-Forwarded-User)
  --trusted-proxy ADDR     proxy mode: IP address of the proxy (repeatable; required)
  --public-url URL         proxy and oidc modes: the address people open Keysmith at,
                           e.g. https://keys.example.org (required); changes are
                           accepted only from pages of this origin
  --oidc-issuer URL        oidc mode: the provider's issuer URL (required)
  --oidc-client-id ID      oidc mode: Keysmith's client id at the provider (required)
  --oidc-client-secret-file FILE
                           oidc mode: file holding the client secret (required)
  --oidc-user-claim NAME   oidc mode: claim naming the local user (default
                           preferred_username)
  --oidc-user-strip-domain DOMAIN
                           oidc mode: read an e-mail style claim jane@DOMAIN as jane;
                           other domains are refused
  --session-key-file FILE  oidc mode: 32+ random bytes sealing the session cookies, the
                           same on every replica (required); make one with:
                           openssl rand -base64 48 > FILE && chmod 600 FILE
  --session-hours N        oidc mode: how long a sign-in lasts (default 8)
  --authorized-keys TPL    file to edit, sshd style: %h home, %u user, %% percent
                           (default %h/.ssh/authorized_keys)
  --min-uid N              proxy mode: lowest uid served (default 1000)
  --max-user-processes N   proxy mode as root: most per-user helper processes at once
                           (default 48; each takes up to about 7 MB)
  --user-process-idle S    proxy mode: seconds an idle helper process lives (default 60)
  --user-process-queue N   proxy mode: most requests waiting for a helper, then 503
                           (default 4 x --max-user-processes)
  --max-requests-per-user N  proxy mode: most requests of one user at once, then 429
                           (default 4)
  --static DIR             built web app to serve (default dist/web)
  --seqera-api URL         a Seqera Platform API the onboarding page may send the new
                           credential to from the browser (repeatable; e.g.
                           https://api.cloud.seqera.io); without it the page offers copy only
  --audit-log PATH         append one JSON line per change and refused change to PATH
                           ("-" for standard output)
  --store file|ldap        where keys live: file, each user's authorized_keys (default);
                           ldap, each user's directory entry, which SSSD hands to sshd
  --ldap-url URL           ldap store: ldaps://HOST[:PORT], or ldap:// with --ldap-starttls
                           (plain ldap:// only to a loopback address) (required)
  --ldap-starttls          ldap store: upgrade the ldap:// connection with StartTLS
  --ldap-bind-dn DN        ldap store: the account Keysmith binds as (required); it needs
                           write access to the key attribute only
  --ldap-bind-password-file FILE
                           ldap store: file holding that account's password (required)
  --ldap-user-base DN      ldap store: where user entries are searched (required)
  --ldap-user-filter F     ldap store: the filter finding one user's entry, %u the name
                           escaped as RFC 4515 says (default (uid=%u))
  --ldap-key-attribute A   ldap store: the key attribute (default sshPublicKey; FreeIPA:
                           ipaSshPubKey)
  --ldap-ca-file FILE      ldap store: CA certificate (PEM) of the directory's certificate
  --directory-cache-minutes N
                           ldap store: how long SSSD may keep serving old keys to hosts,
                           shown with the list (default 90, SSSD's entry_cache_timeout)
  --policy FILE            limits on the keys people add (JSON: maxLifetimeDays,
                           allowedKeyTypes, minRsaBits, allowedAccess, requireFrom,
                           requirePassphrase), enforced on every add
  --sshd-log PATH|journal  where sshd logs its logins (e.g. /var/log/auth.log, or the
                           systemd journal): the list shows when each key was last used
  --config FILE            read flags from a JSON object, keys named as the flags without
                           "--" (e.g. {"auth": "proxy", "trusted-proxy": ["127.0.0.1"]});
                           flags on the command line win
  --help                   show this help

Environment:
  KEYSMITH_TOKEN           local mode: use this sign-in token instead of a random one;
                           a random secret of 128 bits or more: at least 22 letters,
                           digits, "-" or "_" (32 hex digits), 10 of them different;
                           make one with: openssl rand -hex 32
`;
