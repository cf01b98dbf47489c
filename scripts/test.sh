#!/usr/bin/env bash
# The whole test suite: type-check, then every test file under Node 20 (through tsx), Bun and Deno.
# Each runtime's run starts with test/runtime.test.ts, which asserts it really is that runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob
files=(test/runtime.test.ts)
for f in test/**/*.test.ts; do [ "$f" = test/runtime.test.ts ] || files+=("$f"); done
bin=node_modules/.bin
only="${MEMA_TEST_RUNTIMES:-node bun deno}"

echo "== tsc --noEmit"
"$bin/tsc" --noEmit -p .

for rt in $only; do
  echo "== $rt: ${#files[@]} test files"
  case "$rt" in
    node) MEMA_EXPECT_RUNTIME=node node --import tsx --test --test-concurrency=1 "${files[@]}" ;;
    bun)  MEMA_EXPECT_RUNTIME=bun "$bin/bun" test --timeout 600000 "${files[@]/#/./}" ;;
    deno) MEMA_EXPECT_RUNTIME=deno "$bin/deno" test -A --no-check "${files[@]}" ;;
    *) echo "unknown runtime $rt" >&2; exit 2 ;;
  esac
done
