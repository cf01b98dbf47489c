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

# Counts come from each runner's own closing lines, and the names of skipped tests from its report. A test is
# skipped by its `{ skip }` option (known before it runs: node prints "ok N - NAME # SKIP REASON", bun "(skip)
# NAME", deno "NAME ... ignored") or from inside it through test/skip.ts's skipTest(t, REASON) (known only as
# it runs: node and bun count t.skip() as skipped, but deno counts it as passed, so skipTest prints
# "mema-test: skipped at run time: NAME (REASON)" under deno, and those move from deno's passed to skipped).
count() { # runtime
  local p f s names plain
  plain=$(sed 's/\x1b\[[0-9;]*m//g' "$log")
  case "$1" in
    node) p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' <<<"$plain" | tail -1); f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' <<<"$plain" | tail -1)
          s=$(sed -n 's/^# skipped \([0-9]*\)$/\1/p' <<<"$plain" | tail -1)
          names=$(sed -n 's/^ *ok [0-9]* - \(.*\) # SKIP *\(.*\)$/\1 (\2)/p' <<<"$plain") ;;
    bun)  p=$(sed -n 's/^ *\([0-9]*\) pass$/\1/p' <<<"$plain" | tail -1); f=$(sed -n 's/^ *\([0-9]*\) fail$/\1/p' <<<"$plain" | tail -1)
          s=$(sed -n 's/^ *\([0-9]*\) skip$/\1/p' <<<"$plain" | tail -1)
          names=$(sed -n 's/^(skip) \(.*\)$/\1/p' <<<"$plain" | sed 's/ \[[0-9.]*m\{0,1\}s\]$//') ;;
    deno) local last early
          last=$(grep -E '\| [0-9]+ passed' <<<"$plain" | tail -1 || true)
          p=$(sed -n 's/.*| \([0-9]*\) passed.*/\1/p' <<<"$last"); f=$(sed -n 's/.*| \([0-9]*\) failed.*/\1/p' <<<"$last")
          s=$(sed -n 's/.*| \([0-9]*\) ignored.*/\1/p' <<<"$last")
          early=$(grep -c '^mema-test: skipped at run time: ' <<<"$plain" || true)
          p=$(( ${p:-0} - early )); s=$(( ${s:-0} + early ))
          names=$( (sed -n 's/^\(.*\) \.\.\. ignored ([^)]*)$/\1/p' <<<"$plain"; sed -n 's/^mema-test: skipped at run time: //p' <<<"$plain") ) ;;
  esac
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
  echo "-- $1: ${p:-0} passed, ${f:-0} failed, ${s:-0} skipped"
  if [ -n "$names" ]; then sed 's/^/   skipped: /' <<<"$names"; fi
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
