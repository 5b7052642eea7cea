#!/usr/bin/env bash
# The comparison an operator would script by hand, as the benchmark's baseline: for each
# repository, `skopeo list-tags`; for each expected tag, `skopeo inspect --raw` and the sha256
# of the manifest bytes, compared with the expected digest.
#
# Usage: skopeo-baseline.sh <host:port> <refs.tsv> <sample size>
#   refs.tsv: one "repository<TAB>tag<TAB>sha256:digest" line per expected tag; only the first
#   <sample size> lines are compared (the per-tag cost is constant, the caller extrapolates).
# Prints one line: BENCH_RESULT {"compared":…,"synced":…,"missing":…,"mismatched":…,"seconds":…}
set -euo pipefail

registry=$1
refs=$2
sample=$3
command -v skopeo >/dev/null || { echo "skopeo not found: apt-get install -y skopeo" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq not found: apt-get install -y jq" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -n "$sample" "$refs" > "$work/sample.tsv"

start=$(date +%s%N)
compared=0 synced=0 missing=0 mismatched=0
current=""
while IFS=$'\t' read -r repo tag digest; do
  if [[ "$repo" != "$current" ]]; then
    current=$repo
    skopeo list-tags --tls-verify=false "docker://$registry/$repo" \
      | jq -r '.Tags[]' > "$work/tags" || : > "$work/tags"
  fi
  compared=$((compared + 1))
  if ! grep -qxF -- "$tag" "$work/tags"; then
    missing=$((missing + 1))
    continue
  fi
  actual="sha256:$(skopeo inspect --raw --tls-verify=false "docker://$registry/$repo:$tag" \
    | sha256sum | cut -d' ' -f1)"
  if [[ "$actual" == "$digest" ]]; then
    synced=$((synced + 1))
  else
    mismatched=$((mismatched + 1))
  fi
done < "$work/sample.tsv"
end=$(date +%s%N)

seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
printf 'BENCH_RESULT {"compared":%d,"synced":%d,"missing":%d,"mismatched":%d,"seconds":%s}\n' \
  "$compared" "$synced" "$missing" "$mismatched" "$seconds"
