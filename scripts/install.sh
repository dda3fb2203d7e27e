#!/usr/bin/env bash
# Installs parkctl as a tool: a release build (on Linux with the Swift runtime linked
# in, so it runs without the toolchain and starts faster than `swift run`) in
# $PREFIX/bin, and its bash, zsh and fish completions under $PREFIX/share.
#
#   scripts/install.sh                     # PREFIX=/usr/local (needs root)
#   PREFIX=~/.local scripts/install.sh     # for yourself; put ~/.local/bin on PATH
#
# DESTDIR stages the files for a package (DESTDIR=/tmp/pkg PREFIX=/usr ...).
# PARKCTL_BINARY=FILE installs that binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=${PREFIX:-/usr/local}
root=${DESTDIR:-}$prefix

binary=${PARKCTL_BINARY:-}
if [ -z "$binary" ]; then
    flags=(-c release --product parkctl)
    # macOS has the Swift runtime in the system; Linux links it in.
    [ "$(uname -s)" = Linux ] && flags+=(--static-swift-stdlib)
    swift build "${flags[@]}"
    binary="$(swift build "${flags[@]}" --show-bin-path)/parkctl"
fi

install -d "$root/bin" "$root/share/bash-completion/completions" \
    "$root/share/zsh/site-functions" "$root/share/fish/vendor_completions.d"
# Stripped of its symbols where strip exists (82 MB → 62 MB for the release build).
install -m 0755 "$binary" "$root/bin/parkctl"
command -v strip >/dev/null && strip "$root/bin/parkctl" 2>/dev/null || true
for shell in bash zsh fish; do
    case $shell in
        bash) file=$root/share/bash-completion/completions/parkctl ;;
        zsh)  file=$root/share/zsh/site-functions/_parkctl ;;
        fish) file=$root/share/fish/vendor_completions.d/parkctl.fish ;;
    esac
    "$root/bin/parkctl" --generate-completion-script "$shell" > "$file.tmp"
    chmod 0644 "$file.tmp" && mv "$file.tmp" "$file"
done

echo "installed $("$root/bin/parkctl" --version) in $root/bin"
case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) echo "note: $prefix/bin is not on your PATH" ;;
esac
