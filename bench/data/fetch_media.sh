#!/usr/bin/env bash
# Brings every clip listed in clips.tsv into ./media/.
# Source of truth: repository + commit + path (see clips.tsv / sources.md).
# Method 1 (used here): a bare git mirror of the repository under $MIRROR_ROOT/<owner>+<name>/repo
#   (as produced by the session's fetch tool); the blob is read with `git show COMMIT:PATH`.
# Method 2 (fallback, needs internet): https://raw.githubusercontent.com/<owner>/<name>/<commit>/<path>
#   (for Git LFS files GitHub serves a pointer there; none of these files is LFS).
# Afterwards sha256 sums are checked against media.sha256 when that file exists.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
MIRROR_ROOT="${MIRROR_ROOT:-/work/.mirror}"
# DEST: where media/ goes (bench/moments_quality.py reads ../research/data/media or bench/data/media).
DEST="${DEST:-$HERE}"
mkdir -p "$DEST/media"
while IFS=$'\t' read -r out repo commit path group; do
  [[ -z "$out" || "$out" == \#* ]] && continue
  dest="$DEST/media/$out"
  gitdir="$MIRROR_ROOT/${repo/\//+}/repo"
  [[ -d "$gitdir/.git" ]] && gitdir="$gitdir/.git"  # some snapshots arrive as a checkout
  if [[ -d "$gitdir" ]] && git --git-dir="$gitdir" cat-file -e "$commit:$path" 2>/dev/null; then
    git --git-dir="$gitdir" show "$commit:$path" > "$dest.part"
  else
    url="https://raw.githubusercontent.com/$repo/$commit/$path"
    url="${url// /%20}"
    curl -fsSL "$url" -o "$dest.part"
  fi
  mv "$dest.part" "$dest"
  echo "ok  media/$out  <=  $repo@${commit:0:10}:$path"
done < "$HERE/clips.tsv"
if [[ -f "$HERE/media.sha256" ]]; then (cd "$DEST" && sha256sum -c --quiet "$HERE/media.sha256" && echo "sha256 ok"); fi
