#!/usr/bin/perl -T
# The per-user helper of proxy mode as root (user-process-pool.ts): it does the file system calls
# on one user's authorized_keys as that user and nothing else; the server parses, composes and
# decides. Started by util-linux's setpriv with the user's uid, gid and groups already taken:
#   setpriv --reuid=UID --regid=GID --init-groups ... -- /usr/bin/perl -T helper UID GID HOME FILE \
#     O_RDONLY=0 O_WRONLY=1 ... ENOENT=2 EEXIST=17 [SYS_fsync=74]
# It refuses to run unless its real and effective ids are exactly those and not root.
#
# Protocol (user-process-protocol.ts): a request is one line, "<id> <op>[ <n>]\n", ops `read`,
# `lock <wait ms>`, `write <byte count>` (the bytes follow the line) and `unlock`; a reply is one
# JSON line with the same id, this uid and `size`, followed by exactly `size` bytes. One request
# at a time; the helper exits when its stdin ends, releasing a lock it holds.
use strict;
# Warnings without loading warnings.pm, and no Fcntl, Errno or IO (the constants come from the
# server): what the helper loads is what each of its starts costs.
BEGIN { $^W = 1 }

# The server's bound on a file it reads or writes (MAX_FILE_BYTES in user-process-protocol.ts).
my $MAX_FILE_BYTES = 16 * 1024 * 1024;
# proper-lockfile's `stale` as atomic-file.ts sets it: an older lock directory is a dead writer's.
my $STALE_SECONDS = 10;
# A lock held longer than this is not written under: past half of `stale` a Node writer could
# soon take it over (proper-lockfile refreshes its own locks' mtime every stale / 2).
my $HOLD_SECONDS = 4;

sub fail_start {
  print STDERR "keysmith user helper: $_[0]\n";
  exit 78;
}

@ARGV >= 4 or fail_start('usage: helper UID GID HOME FILE NAME=NUMBER...');
my ($uid) = shift(@ARGV) =~ /^([1-9][0-9]{0,9})$/ or fail_start('UID must be a number above 0');
my ($gid) = shift(@ARGV) =~ /^(0|[1-9][0-9]{0,9})$/ or fail_start('GID must be a number');
my ($home) = shift(@ARGV) =~ m{^(/[^\0]*)$} or fail_start('HOME must be an absolute path');
my ($file) = shift(@ARGV) =~ m{^(/[^\0]*[^/])$} or fail_start('FILE must be an absolute path');

# The platform's open(2) flags and errno values as the server's headers have them (node:fs and
# node:os constants), and fsync(2)'s syscall number where the server knows it.
my %c;
for (@ARGV) {
  my ($name, $value) =
    /^(O_RDONLY|O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_DIRECTORY|ENOENT|EEXIST|SYS_fsync)=([0-9]{1,10})$/
    or fail_start("'$_' is not NAME=NUMBER of a known constant: start it through helperArgv");
  fail_start("$name given twice: start it through helperArgv") if exists $c{$name};
  # A number, not a string: Perl's | on two strings would OR their characters.
  $c{$name} = 0 + $value;
  # Only O_RDONLY is 0 (asm-generic/fcntl.h); an O_NOFOLLOW of 0 would drop its guard unseen.
  fail_start("$name is 0: start it through helperArgv") if $c{$name} == 0 && $name ne 'O_RDONLY';
}
for (qw(O_RDONLY O_WRONLY O_CREAT O_EXCL O_NOFOLLOW O_DIRECTORY ENOENT EEXIST)) {
  fail_start("$_ is missing: start it through helperArgv") unless exists $c{$_};
}

# setpriv must have dropped every id: never serve as root, or as anyone but the account.
my ($real_gid) = split / /, $(;
my ($effective_gid) = split / /, $);
if ($< != $uid || $> != $uid || $real_gid != $gid || $effective_gid != $gid) {
  fail_start("runs as uid $</$> gid $real_gid/$effective_gid, not $uid/$gid: start it through setpriv");
}
if ($< == 0 || $> == 0) {
  fail_start('refuses to run as root');
}
# A process that dropped root for good cannot take it back (setresuid(2) with no CAP_SETUID).
$> = 0;
fail_start('could regain root: start it through setpriv') if $> == 0;

my ($dir) = $file =~ m{^(.*)/[^/]+$};
$dir = '/' if $dir eq '';
my ($base) = $file =~ m{/([^/]+)$};
my $lock = "$file.lock";
my $temp_prefix = ".$base.keysmith-";

# The errno as a number; the server names it (os.constants.errno).
sub errno { return 0 + $! }

my $locked_at;    # time the lock was taken, while this helper holds it

sub hex_of { return unpack 'H*', $_[0] }

sub reply {
  my ($id, $fields, $bytes) = @_;
  $bytes //= '';
  my $json = join ',', qq("id":$id), qq("uid":$uid), $fields, '"size":' . length $bytes;
  syswrite_all(\*STDOUT, "{$json}\n$bytes") or exit 74;
}

# `errno`: a number from errno(), or one of the helper's own names (ELOCKED, ENOTREG, ...).
sub error_reply {
  my ($id, $errno, $action) = @_;
  $errno = qq("$errno") unless $errno =~ /^[0-9]+$/;
  reply($id, qq("ok":false,"errno":$errno,"action":"$action"));
}

sub errno_json { my ($errno) = @_; return $errno =~ /^[0-9]+$/ ? $errno : qq("$errno") }

sub syswrite_all {
  my ($fh, $data) = @_;
  my $offset = 0;
  while ($offset < length $data) {
    my $written = syswrite $fh, $data, length($data) - $offset, $offset;
    return 0 unless defined $written;
    $offset += $written;
  }
  return 1;
}

my $input = '';    # bytes read from stdin and not yet used

# The next request line without its newline; undef at the end of input. A line over 64 bytes,
# or input that ends inside one, is a broken parent: exit.
sub read_line {
  for (;;) {
    my $end = index $input, "\n";
    if ($end >= 0) {
      my $line = substr $input, 0, $end;
      substr($input, 0, $end + 1) = '';
      exit 65 if length $line > 64;
      return $line;
    }
    exit 65 if length $input > 64;
    my $got = sysread STDIN, $input, 65536, length $input;
    exit 65 unless defined $got;
    return undef if $got == 0 && $input eq '';
    exit 65 if $got == 0;
  }
}

# Exactly `count` bytes of stdin (a write's content); exits when the input ends before.
sub read_bytes {
  my ($count) = @_;
  while (length $input < $count) {
    my $got = sysread STDIN, $input, $count - length $input, length $input;
    exit 65 unless $got;
  }
  my $bytes = substr $input, 0, $count;
  substr($input, 0, $count) = '';
  return $bytes;
}

# Reads the file without following a link: (bytes, mode) or (undef, errno name).
sub read_no_follow {
  sysopen my $fh, $file, $c{O_RDONLY} | $c{O_NOFOLLOW} or return (undef, errno());
  my @stat = stat $fh or return (undef, errno());
  return (undef, 'ENOTREG') unless -f _;
  return (undef, 'EFBIG') if $stat[7] > $MAX_FILE_BYTES;
  my $bytes = '';
  for (;;) {
    my $got = sysread $fh, $bytes, 65536, length $bytes;
    return (undef, errno()) unless defined $got;
    last if $got == 0;
    return (undef, 'EFBIG') if length $bytes > $MAX_FILE_BYTES;
  }
  return ($bytes, $stat[2] & 07777);
}

# The path with every link, `.` and `..` resolved, as realpath(3) (without Cwd, which would
# cost each start a third of its time); undef when a part is missing or unreadable.
sub real_path {
  my @todo = grep { length } split m{/}, $_[0];
  my @done;
  my $links = 0;
  while (@todo) {
    my $part = shift @todo;
    next if $part eq '.';
    if ($part eq '..') {
      pop @done;
      next;
    }
    my $at = '/' . join '/', @done, $part;
    my @stat = lstat $at or return undef;
    if (-l _) {
      # Linux's MAXSYMLINKS.
      return undef if ++$links > 40;
      my $target = readlink $at;
      return undef unless defined $target;
      @done = () if $target =~ m{^/};
      unshift @todo, grep { length } split m{/}, $target;
      next;
    }
    return undef if @todo && !-d _;
    push @done, $part;
  }
  return '/' . join '/', @done;
}

# What sshd's StrictModes looks at (auth.c safe_path): the file as lstat sees it, then each
# directory from the file's, resolved, up to the home (or /), as stat sees it.
sub strict_modes_facts {
  my $facts;
  if (my @stat = lstat $file) {
    my $type = -l _ ? 'link' : -f _ ? 'file' : 'other';
    $facts = qq("file":{"type":"$type","mode":$stat[2],"uid":$stat[4]});
  } else {
    $facts = '"file":{"errno":' . errno() . '}';
  }
  my @dirs;
  my $real_home = real_path($home);
  my $at = real_path($dir);
  if (defined $real_home && defined $at) {
    my $inside = $at eq $real_home || index($at, $real_home eq '/' ? '/' : "$real_home/") == 0;
    for (;;) {
      my $is_home = $inside && $at eq $real_home ? 'true' : 'false';
      my @stat = stat $at or last;
      push @dirs, sprintf '{"path":"%s","home":%s,"mode":%d,"uid":%d}', hex_of($at), $is_home,
        $stat[2], $stat[4];
      last if $is_home eq 'true' || $at eq '/';
      $at =~ s{/[^/]*$}{};
      $at = '/' if $at eq '';
    }
  }
  return "$facts,\"dirs\":[" . join(',', @dirs) . ']';
}

sub release_lock {
  return unless defined $locked_at;
  undef $locked_at;
  rmdir $lock;
}

my $kept_mode;    # the mode the file had when the lock was taken (0600 for a new file)

# The lock and write path (after __DATA__) is compiled on a helper's first lock: a helper that
# only lists, as most do, skips about 0.5 ms of its 4 ms start. Its lines count from __DATA__.
my $write_path_compiled;

sub compile_write_path {
  return if $write_path_compiled;
  my $code = do { local $/; <DATA> };
  eval "#line 1 \"the write path after __DATA__\"\n$code; 1" or die $@;
  close DATA;
  $write_path_compiled = 1;
}

sub serve {
  my ($id, $op, $arg) = @_;
  if ($op eq 'read') {
    my $facts = strict_modes_facts();
    my ($bytes, $mode_or_errno) = read_no_follow();
    if (!defined $bytes) {
      return reply($id, qq("ok":true,$facts,"read":) . errno_json($mode_or_errno));
    }
    return reply($id, qq("ok":true,$facts,"read":"ok"), $bytes);
  }
  if ($op eq 'lock') {
    return error_reply($id, 'EBUSY', 'locking') if defined $locked_at;
    compile_write_path();
    my ($action, $errno) = take_lock($arg);
    return error_reply($id, $errno, $action) if defined $action;
    remove_dead_writers_files();
    my ($bytes, $mode_or_errno) = read_no_follow();
    if (!defined $bytes && $mode_or_errno =~ /^[0-9]+$/ && $mode_or_errno == $c{ENOENT}) {
      $kept_mode = 0600;
      return reply($id, '"ok":true,"read":"ENOENT"');
    }
    if (!defined $bytes) {
      release_lock();
      return error_reply($id, $mode_or_errno, 'reading');
    }
    # rename(2) needs only the directory's write permission: never replace what the user may
    # not write.
    if (!-w $file) {
      release_lock();
      return error_reply($id, 'EACCES', 'writing');
    }
    $kept_mode = $mode_or_errno;
    return reply($id, '"ok":true,"read":"ok"', $bytes);
  }
  if ($op eq 'write') {
    my $bytes = read_bytes($arg);
    return error_reply($id, 'ENOLCK', 'writing') unless defined $locked_at;
    if (time - $locked_at > $HOLD_SECONDS) {
      release_lock();
      return error_reply($id, 'ETIMEDOUT', 'writing');
    }
    my ($action, $errno) = write_atomically($bytes, $kept_mode);
    release_lock();
    return error_reply($id, $errno, $action) if defined $action;
    return reply($id, '"ok":true');
  }
  if ($op eq 'unlock') {
    release_lock();
    return reply($id, '"ok":true');
  }
}

chdir '/';
umask 077;
binmode STDIN;
binmode STDOUT;
for (;;) {
  my $line = read_line();
  if (!defined $line) {
    release_lock();
    exit 0;
  }
  my ($id, $op, $arg) = $line =~ /^(0|[1-9][0-9]{0,15}) (read|unlock|lock|write)(?: (0|[1-9][0-9]{0,8}))?$/
    or exit 65;
  exit 65 if ($op eq 'lock' || $op eq 'write') != defined $arg;
  exit 65 if $op eq 'write' && $arg > $MAX_FILE_BYTES;
  serve($id, $op, $arg);
}
__DATA__
sub sysread_exact {
  my ($fh, $count) = @_;
  my $data = '';
  while (length $data < $count) {
    my $got = sysread $fh, $data, $count - length $data, length $data;
    return undef unless $got;
  }
  return $data;
}

sub sleep_ms { select undef, undef, undef, $_[0] / 1000 }

# Takes the lock as proper-lockfile does: mkdir of `<file>.lock`, atomic on local disks and NFS;
# a lock directory not refreshed for $STALE_SECONDS is a dead writer's and is taken over.
sub take_lock {
  my ($wait_ms) = @_;
  my $waited = 0;
  my $made_dir = 0;
  for (my $attempt = 0; ; $attempt += 1) {
    if (mkdir $lock) {
      $locked_at = time;
      return undef;
    }
    if ($! == $c{ENOENT} && !$made_dir) {
      # No ~/.ssh yet, so no place for the lock: make it 0700 (mkdir's mode is masked by umask).
      $made_dir = 1;
      if (mkdir $dir, 0700) {
        chmod 0700, $dir or return ('creating', errno());
      } elsif ($! != $c{EEXIST}) {
        return ('creating', errno());
      }
      next;
    }
    return ('locking', errno()) unless $! == $c{EEXIST};
    my @stat = stat $lock;
    if (@stat && $stat[9] < time - $STALE_SECONDS) {
      rmdir $lock or $! == $c{ENOENT} or return ('locking', errno());
      next;
    }
    return ('locking', 'ELOCKED') if $waited >= $wait_ms;
    my $pause = 5 * 1.3**$attempt;
    $pause = 100 if $pause > 100;
    $pause = int($pause * (0.5 + rand));
    sleep_ms($pause);
    $waited += $pause;
  }
}

# Temporary files of writers that died between creating and renaming one (atomic-file.ts's
# removeDeadWritersFiles): only names of exactly that pattern, and only under the lock.
sub remove_dead_writers_files {
  opendir my $dh, $dir or return;
  for my $name (readdir $dh) {
    next unless index($name, $temp_prefix) == 0;
    my ($suffix) = substr($name, length $temp_prefix) =~ /^([0-9a-f]{12})$/ or next;
    unlink "$dir/$temp_prefix$suffix";
  }
  closedir $dh;
}

sub random_suffix {
  sysopen my $fh, '/dev/urandom', $c{O_RDONLY} or return undef;
  my $bytes = sysread_exact($fh, 6) // return undef;
  my ($hex) = unpack('H*', $bytes) =~ /^([0-9a-f]{12})$/;
  return $hex;
}

# fsync(2) by its syscall number, or else through IO's IO::Handle::sync (IO alone costs a
# start about 5 ms, IO::Handle more than twice that).
sub fsync {
  my ($fh) = @_;
  return syscall($c{SYS_fsync}, fileno $fh) == 0 if exists $c{SYS_fsync};
  require IO;
  return IO::Handle::sync($fh);
}

# Replaces the file with `bytes`: a new file in the same directory (created exclusively, never
# through a link), fsync, rename over the file, fsync of the directory (rename(2), fsync(2)).
sub write_atomically {
  my ($bytes, $mode) = @_;
  my $suffix = random_suffix() // return ('writing', errno());
  my $temp = "$dir/$temp_prefix$suffix";
  sysopen my $fh, $temp, $c{O_WRONLY} | $c{O_CREAT} | $c{O_EXCL} | $c{O_NOFOLLOW}, 0600
    or return ('writing', errno());
  my $failure;
  $failure = errno() unless syswrite_all($fh, $bytes) && chmod($mode, $fh) && fsync($fh);
  close $fh or $failure //= errno();
  $failure //= errno() unless rename $temp, $file;
  if (defined $failure) {
    unlink $temp;
    return ('writing', $failure);
  }
  sysopen my $dh, $dir, $c{O_RDONLY} | $c{O_DIRECTORY} or return ('syncing the directory of', errno());
  fsync($dh) or return ('syncing the directory of', errno());
  close $dh;
  return undef;
}
