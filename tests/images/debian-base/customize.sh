#!/bin/sh
# mmdebstrap customize hook: $1 is the finished root filesystem. Drops what a package's
# post-install script left for a booted system (the default PostgreSQL cluster, Debian's default
# nginx site, logs) and everything that only makes the image larger.
set -eu
root="$1"
rm -rf "$root/var/lib/postgresql/15/main" "$root/etc/postgresql/15/main"
rm -f "$root/etc/nginx/sites-enabled/default"
# PostgreSQL's JIT provider and the LLVM it loads (over 100 MB). Without them the server runs with
# JIT unavailable, as documented for a missing jit_provider, and says nothing.
rm -rf "$root"/usr/lib/postgresql/*/lib/llvmjit* "$root"/usr/lib/postgresql/*/lib/bitcode \
  "$root"/usr/lib/*-linux-gnu/libLLVM-*.so*
rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin "$root/var/cache/debconf/"*-old \
  "$root/var/log/"*.log "$root/var/log/apt/"* "$root/usr/share/doc-base" "$root/usr/share/lintian"
# A container gets its own /etc/hostname, /etc/hosts and /etc/resolv.conf from the engine.
: > "$root/etc/hostname"
