#!/usr/bin/env bash
# Regenerates the committed seed corpora tests/fuzz/corpus/{request,records}/ with the
# fuzz_make_seeds tool (make_seeds.cc), built in the clang fuzz tree. Run it after the protocol
# samples or the records builder change, and commit the result.
#
#   tests/fuzz/make_seeds.sh [build-dir]     default build dir: build/fuzz-clang
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../build/fuzz-clang}
"$here/build.sh" "$out" fuzz_make_seeds
rm -rf "$here/corpus/request" "$here/corpus/records"
mkdir -p "$here/corpus/request" "$here/corpus/records"
"$out/fuzz_make_seeds" "$here/corpus"
du -sh "$here/corpus"
