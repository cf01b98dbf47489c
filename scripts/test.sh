#!/usr/bin/env bash
# The whole test suite: type-check, then every test file under Node 20 (through tsx), Bun and Deno.
# Each runtime's run starts with test/runtime.test.ts, which asserts it really is that runtime.
# MEMA_TEST_RUNTIMES="node" (or "bun deno", ...) narrows the runtimes; extra arguments narrow the files.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob
files=(test/runtime.test.ts)
if [ $# -gt 0 ]; then
  files+=("$@")
else
  for f in test/**/*.test.ts; do [ "$f" = test/runtime.test.ts ] || files+=("$f"); done
fi
bin=node_modules/.bin
log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0 failed=0 skipped=0

echo "== tsc --noEmit"
"$bin/tsc" --noEmit -p .

# Counts come from each runner's own closing lines. Skipped tests (e.g. real emulation on a machine without
# cgroups) are counted apart: node prints "# skipped N", bun "N skip", deno "N ignored".
count() { # runtime
  local p f s
  case "$1" in
    node) p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -1); f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -1)
          s=$(sed -n 's/^# skipped \([0-9]*\)$/\1/p' "$log" | tail -1) ;;
    bun)  p=$(sed -n 's/^ *\([0-9]*\) pass$/\1/p' "$log" | tail -1); f=$(sed -n 's/^ *\([0-9]*\) fail$/\1/p' "$log" | tail -1)
          s=$(sed -n 's/^ *\([0-9]*\) skip$/\1/p' "$log" | tail -1) ;;
    deno) local last
          last=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '\| [0-9]+ passed' | tail -1 || true)
          p=$(sed -n 's/.*| \([0-9]*\) passed.*/\1/p' <<<"$last"); f=$(sed -n 's/.*| \([0-9]*\) failed.*/\1/p' <<<"$last")
          s=$(sed -n 's/.*| \([0-9]*\) ignored.*/\1/p' <<<"$last") ;;
  esac
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
  echo "-- $1: ${p:-0} passed, ${f:-0} failed, ${s:-0} skipped"
}

status=0
for rt in ${MEMA_TEST_RUNTIMES:-node bun deno}; do
  echo "== $rt: ${#files[@]} test files"
  rc=0
  case "$rt" in
    node) MEMA_EXPECT_RUNTIME=node node --import tsx --test --test-concurrency=1 "${files[@]}" 2>&1 | tee "$log" || rc=$? ;;
    bun)  MEMA_EXPECT_RUNTIME=bun "$bin/bun" test --timeout 600000 "${files[@]/#/./}" 2>&1 | tee "$log" || rc=$? ;;
    deno) MEMA_EXPECT_RUNTIME=deno NO_COLOR=1 "$bin/deno" test -A --no-check "${files[@]}" 2>&1 | tee "$log" || rc=$? ;;
    *) echo "unknown runtime $rt" >&2; exit 2 ;;
  esac
  count "$rt"
  [ "$rc" -eq 0 ] || status=$rc
done
echo
echo "all runtimes: $passed passed, $failed failed, $skipped skipped"
exit "$status"
