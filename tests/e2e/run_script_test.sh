#!/usr/bin/env bash
# scripts/run as a user runs it: `scripts/run --demo`, wait for the demo's effects in its output,
# press Ctrl-C (SIGINT to its process group, as a terminal sends it), then check that it exited
# 0, stopped every process it started and removed its run dir. ctest runs it through
# tests/e2e/in-private-netns, whose PID namespace shows exactly what is left running.
#   tests/e2e/run_script_test.sh --preset dev --broker redis|kafka
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)

preset=dev broker=redis
while (($#)); do
  case "$1" in
    --preset) preset=$2; shift 2 ;;
    --broker) broker=$2; shift 2 ;;
    *) echo "run_script_test: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

[[ ${TEW_IN_PRIVATE_NETNS:-} == 1 ]] || {
  echo "run_script_test: run it through tests/e2e/in-private-netns (ctest does)" >&2
  exit 2
}

work=$(mktemp -d)
output=$work/output
runs=$work/runs  # scripts/run makes its run dir here (TMPDIR)
mkdir -p "$runs"
pid=""
fail() {
  echo "run_script_test: FAILED: $*" >&2
  echo "---- scripts/run output:" >&2
  cat "$output" >&2 || true
  exit 1
}
trap '[[ -z $pid ]] || kill -TERM "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

# Job control on: the script gets a process group of its own, so SIGINT is not ignored in it
# and can be sent to the whole group.
set -m
TMPDIR=$runs "$repo/scripts/run" --demo --no-build --preset "$preset" --broker "$broker" >"$output" 2>&1 &
pid=$!
set +m
started=$SECONDS

# Startup (Kafka: 3-7 s) plus the demo's own bound of 60 s.
until grep -q '^run: demo: all 6 effects seen' "$output"; do
  kill -0 "$pid" 2>/dev/null || fail "scripts/run exited before the demo's effects were seen"
  grep -q '^run: demo: FAILED' "$output" && fail "the demo failed"
  ((SECONDS - started < 150)) || fail "no 'all 6 effects seen' within 150 s"
  sleep 0.2
done
echo "run_script_test: ready and demo done in $((SECONDS - started)) s"
for effect in 'notification sent: task.created "Water the plants"' \
  'notification sent: task.created "Write the daily report"' \
  'notification sent: task.completed "Write the daily report"' \
  'recurring task spawned: recurring.trigger, next "Write the daily report" due ' \
  'reminder fired: reminder.due for "Water the plants"' \
  'notification sent: reminder.due "Reminder: Water the plants"'; do
  grep -qF "$effect" "$output" || fail "the output does not show: $effect"
done
run_dir=$(sed -n 's|^  redis  *127\.0\.0\.1:[0-9]*  *\(.*\)/logs/redis\.log$|\1|p' "$output")
[[ -n $run_dir && -d $run_dir ]] || fail "the table names no run dir that exists ('$run_dir')"

# Ctrl-C.
kill -INT -- "-$pid"
stopping=$SECONDS
while kill -0 "$pid" 2>/dev/null; do
  ((SECONDS - stopping < 60)) || fail "still running 60 s after SIGINT"
  sleep 0.1
done
status=0
wait "$pid" || status=$?
pid=""
echo "run_script_test: stopped in $((SECONDS - stopping)) s, exit status $status"
((status == 0)) || fail "exit status $status after SIGINT, want 0"
[[ ! -e $run_dir ]] || fail "the run dir $run_dir is still there"
[[ -z $(ls -A "$runs") ]] || fail "left in TMPDIR: $(ls -A "$runs")"

# This shell is PID 1 of the namespace: whatever else is listed was left behind.
ps -e -o pid=,args= >"$work/ps"
left=$(awk -v self=$$ '$1 != self && $2 != "ps"' "$work/ps")
[[ -z $left ]] || fail "processes left running:
$left"
grep -q '^run: stopping services, sidecars, receiver, broker, Redis$' "$output" ||
  fail "no 'stopping' line after SIGINT"
echo "run_script_test: passed (scripts/run --broker $broker)"
