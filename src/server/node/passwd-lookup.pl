#!/usr/bin/perl -T
# The passwd resolver of system-users.ts: one long-lived process instead of a `getent passwd`
# per request. getpwnam(3) goes through NSS exactly as getent does (files, sssd, LDAP), and
# glibc reads /etc/passwd afresh on every call, so a changed or removed account shows at once.
#
# Protocol: one user name per line on stdin (checked against USER_NAME_PATTERN again here);
# one line per name on stdout, in order: `ok NAME UID GID HOME-IN-HEX`, `none` when there is no
# such account, or `bad` for a name that breaks the pattern. It exits when stdin ends.
use strict;
use warnings;

$| = 1;
while (my $line = <STDIN>) {
  chomp $line;
  my ($name) = $line =~ /^((?![0-9]+$)[A-Za-z0-9_][A-Za-z0-9._-]{0,63})$/;
  if (!defined $name) {
    print "bad\n";
    next;
  }
  my ($user, undef, $uid, $gid, undef, undef, undef, $home) = getpwnam $name;
  if (!defined $user || $user ne $name) {
    print "none\n";
    next;
  }
  print 'ok ', join(' ', $user, $uid, $gid, unpack('H*', $home // '')), "\n";
}
