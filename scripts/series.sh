#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make series: the kernel patch series, and the kernel tree built from it.
# Usage: scripts/series.sh BUILD_DIR OUT_DIR
#
# 1. BUILD_DIR/series-git: Debian's /usr/src/linux-source-6.12.tar.xz as
#    one commit, tag "base" (made once per version of the package).
# 2. There, branch vmcore-rs from base: each patch of patches/series with
#    git am, and the files of its "files SRC DST [!GLOB]" lines added to it
#    (the files git tracks under SRC but those whose path below SRC matches
#    GLOB; an untracked file there fails the run). Then
#    OUT_DIR/series/: git format-patch of the branch, with the cover letter
#    patches/cover-letter (its first paragraph is the subject).
# 3. The proof that the series applies: back at base, git am of
#    OUT_DIR/series/*.patch must give the tree of branch vmcore-rs.
# 4. BUILD_DIR/linux-source-6.12, a second worktree of the same repository,
#    where every kernel is built (O=BUILD_DIR/kernel-*), is moved to the
#    commit of step 3. git rewrites only the files that differ, so an edit
#    rebuilds only what depends on it.
#
# Commits get fixed committer dates, so that the same sources give the
# same series.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR OUT_DIR" >&2; exit 2; }
build=$(realpath -m "$1")
out=$(realpath -m "$2")
repo=$build/series-git
tree=$build/linux-source-6.12
say() { echo "series: $*"; }
die() { echo "series: FAILED: $*" >&2; exit 1; }

export GIT_AUTHOR_NAME=vmcore-rs GIT_AUTHOR_EMAIL=vmcore-rs@example.org
export GIT_COMMITTER_NAME=vmcore-rs GIT_COMMITTER_EMAIL=vmcore-rs@example.org
export GIT_COMMITTER_DATE="2026-01-01 00:00:00 +0000"
git() { command git -c advice.detachedHead=false -c core.autocrlf=false "$@"; }

# 1. The pristine tree.
ver=$(dpkg-query -W -f='${Version}' linux-source-6.12) || die "linux-source-6.12 is not installed"
if [ "$(cat "$repo/.git/vmcore-rs-base" 2>/dev/null)" != "$ver" ]; then
	say "importing /usr/src/linux-source-6.12.tar.xz ($ver)"
	rm -rf "$repo" "$tree"
	mkdir -p "$repo"
	tar -C "$repo" --strip-components=1 -xJf /usr/src/linux-source-6.12.tar.xz ||
		die "extracting the kernel source"
	(cd "$repo" && git init -q && git add -f -A &&
	 GIT_AUTHOR_DATE="$GIT_COMMITTER_DATE" git commit -q -m "Debian linux-source-6.12 $ver" &&
	 git tag base) || die "committing the kernel source"
	echo "$ver" > "$repo/.git/vmcore-rs-base"
fi
cd "$repo"

# 2. The series, from patches/series. Nothing of an earlier run stays: an
#    interrupted git am, or patches a failed run would leave to be checked.
rm -rf "$out/series"
git am --abort >/dev/null 2>&1 || true
git checkout -q -f -B vmcore-rs base
git clean -q -f -d -x
n=0
while read -r what src dst except; do
	case "$what" in
	'' | '#'*) continue ;;
	files)
		[ $n -gt 0 ] || die "patches/series: 'files' before the first patch"
		untracked=$(command git -C "$top" ls-files --others --exclude-standard -- "$src")
		[ -z "$untracked" ] || die "untracked in $src (git add them): $(echo $untracked)"
		files=$(command git -C "$top" ls-files -- "$src")
		[ -n "$files" ] || die "patches/series: git tracks no files in $src"
		while read -r f; do
			rel=${f#"$src"/}
			# shellcheck disable=SC2053 # the exception is a glob
			[ -n "$except" ] && [[ $rel == ${except#!} ]] && continue
			mkdir -p "$dst/$(dirname "$rel")"
			cp "$top/$f" "$dst/$rel" || die "copying $f"
		done <<<"$files"
		git add -f -- "$dst"
		git commit -q --amend --no-edit || die "adding $src to the patch"
		;;
	*)
		git am -q --committer-date-is-author-date "$top/patches/$what" ||
			{ git am --abort || true; die "git am patches/$what"; }
		n=$((n + 1))
		;;
	esac
done < "$top/patches/series"
gen=$(git rev-parse HEAD)

git config branch.vmcore-rs.description "$(cat "$top/patches/cover-letter")"
git format-patch -q --cover-letter --cover-from-description=subject \
	--base=base -o "$out/series" base..vmcore-rs || die "git format-patch"

# 3. git am of what was written gives the same tree.
git checkout -q --detach base
patches=$(ls "$out"/series/[0-9][0-9][0-9][0-9]-*.patch | grep -v '/0000-cover-letter\.patch$')
[ "$(echo "$patches" | wc -l)" -eq $n ] || die "$out/series has not the $n patches of patches/series"
# shellcheck disable=SC2086 # file names without blanks, from format-patch
git am -q $patches ||
	{ git am --abort || true; die "git am of $out/series onto the pristine tree"; }
git diff --quiet "$gen" HEAD || die "git am of $out/series does not give the series' tree"
applied=$(git rev-parse HEAD)
say "$out/series: $(ls "$out/series" | wc -l) files, $n patches and the cover letter; git am gives the series' tree"

# 4. The build tree.
git worktree prune
if [ -e "$tree/.git" ]; then
	git -C "$tree" checkout -q -f --detach "$applied"
else
	rm -rf "$tree"
	git worktree add -q --detach "$tree" "$applied"
fi
say "$tree is at the series ($(git -C "$tree" rev-parse --short HEAD))"
