#!/usr/bin/env python3
"""scripts/load's sampler and verdict (issue 5: sustained direct load).

  load.py sample PID PORT OUT.jsonl [SIDECAR_PID]
                                        every second until SIGTERM: the service's RSS and CPU
                                        (/proc), its in-memory dedup store's gauges (/metrics)
                                        and the stand-in sidecar's CPU
  load.py sample --once PID PORT OUT [SIDECAR_PID]    one sample into OUT
  load.py report DIR                    the table and the targets for DIR/<service>/{config.json,
                                        load.json, samples.jsonl, final.json}; exit 1 on a miss

Targets, from the issue: every event answered SUCCESS (duplicates included) with no errors; the
rate held (events/s answered >= 0.98 x the rate asked); RSS bounded: its maximum over the second
half of the run at most max(2 MB, 5 %) above its maximum over the first half; the dedup store
never above DEDUP_CAPACITY, with more distinct ids sent than it holds and evictions seen, so the
bound was exercised. --smoke runs (config "smoke": 1) report the rate and RSS but do not fail on
them: a few seconds on a shared machine say nothing about either.
"""
import json
import os
import signal
import sys
import time
import urllib.request

RATE_SHARE = 0.98
RSS_SLACK_KB = 2048
RSS_SLACK_SHARE = 0.05
GAUGES = {"tew_dedup_records": "dedup_records", "tew_dedup_capacity": "dedup_capacity",
          "tew_dedup_evictions_total": "dedup_evictions"}


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sample(pid, port, started, sidecar_pid=None):
    s = {"t": round(time.monotonic() - started, 3)}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    s["rss_kb"] = int(line.split()[1])
        s["cpu_s"] = cpu_seconds(pid)
        if sidecar_pid:
            s["sidecar_cpu_s"] = cpu_seconds(sidecar_pid)
    except OSError:
        return None
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
            for line in r.read().decode().splitlines():
                name, _, value = line.partition(" ")
                if name in GAUGES:
                    s[GAUGES[name]] = int(float(value))
    except OSError:
        pass
    return s


def run_sampler(args):
    once = args[0] == "--once"
    pid, port, out, *rest = args[1:] if once else args
    sidecar_pid = rest[0] if rest else None
    started = time.monotonic()
    if once:
        with open(out, "w") as f:
            json.dump(sample(pid, port, started, sidecar_pid) or {}, f)
        return 0
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    with open(out, "w") as f:
        while not stopping:
            s = sample(pid, port, started, sidecar_pid)
            if s is None:
                break
            f.write(json.dumps(s) + "\n")
            f.flush()
            time.sleep(max(0.0, 1.0 - (time.monotonic() - started) % 1.0))
    return 0


def read_json(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def read_lines(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except OSError:
        return []


def mb(kb):
    return f"{kb / 1024:.1f}"


def judge(service, config, load, samples, final):
    """Rows for the table and (target, measured, met) for the verdict."""
    rate, seconds, capacity = config["rate"], config["seconds"], config["capacity"]
    smoke = bool(config.get("smoke"))
    checks = []
    if not load:
        return None, [(f"{service}: load ran", "the generator printed nothing", False)]
    sent, answered, ok = load["sent"], load["answered"], load["ok"]
    bad = load["non_success"] + load["errors"] + (sent - answered)
    checks.append((f"{service}: 0 errors and every event answered SUCCESS",
                   f"{load['errors']} errors, {load['non_success']} not SUCCESS, "
                   f"{sent - answered} unanswered of {sent}", bad == 0 and ok > 0))
    achieved = load["events_per_s"]
    rate_ok = achieved >= RATE_SHARE * rate and sent >= RATE_SHARE * rate * seconds
    checks.append((f"{service}: >= {rate:g} events/s for {seconds:g} s",
                   f"{achieved:.0f} events/s, {sent} sent", rate_ok or (smoke and None)))

    # RSS while the load ran: from the generator's start to its last answer.
    first_t = samples[0]["t"] if samples else 0
    during = [s for s in samples if "rss_kb" in s and s["t"] >= first_t + 1.0]
    during = [s for s in during if s["t"] <= first_t + 1.0 + load["seconds"] + 0.5] or during
    rss = [s["rss_kb"] for s in during]
    idle_rss = samples[0].get("rss_kb", 0) if samples else 0
    if len(rss) >= 2:
        half = len(rss) // 2
        first_max, second_max = max(rss[:half]), max(rss[half:])
        slack = max(RSS_SLACK_KB, RSS_SLACK_SHARE * first_max)
        bounded = second_max <= first_max + slack
        checks.append((f"{service}: RSS bounded (2nd half max <= 1st half max + "
                       f"max(2 MB, 5 %))", f"{mb(first_max)} -> {mb(second_max)} MB",
                       bounded or (smoke and None)))
    else:
        first_max = second_max = 0
        checks.append((f"{service}: RSS bounded", "fewer than 2 samples", False if not smoke else None))

    records = [s["dedup_records"] for s in samples + [final] if "dedup_records" in s]
    evictions = final.get("dedup_evictions", 0)
    distinct = sent - load.get("duplicates_sent", 0)
    peak = max(records) if records else None
    checks.append((f"{service}: dedup records <= DEDUP_CAPACITY ({capacity})",
                   f"max {peak} sampled" if peak is not None else "not exposed on /metrics",
                   peak is not None and peak <= capacity and final.get("dedup_capacity") == capacity))
    checks.append((f"{service}: dedup bound exercised (distinct ids > capacity, evictions)",
                   f"{distinct} distinct ids, {evictions} evictions",
                   distinct > capacity and evictions > 0))
    per_event = cpu_per_event(load, samples)
    row = {
        "service": service, "events_per_s": f"{achieved:.0f}", "sent": str(sent),
        "dups": str(load.get("duplicates_sent", 0)), "not SUCCESS": str(load["non_success"]),
        "errors": str(load["errors"]),
        "p50/p99/p99.9 ms": f"{load['p50_us'] / 1000:.2f} / {load['p99_us'] / 1000:.2f} / "
                            f"{load['p999_us'] / 1000:.2f}",
        "CPU": f"{load.get('server_cpu', 0):.2f}",
        "CPU µs/event service/sidecar/generator (events/s they allow)": per_event,
        "RSS idle/1st half max/2nd half max/end MB":
            f"{mb(idle_rss)} / {mb(first_max)} / {mb(second_max)} / {mb(final.get('rss_kb', 0))}",
        "dedup max/end/capacity": f"{peak} / {final.get('dedup_records')} / {capacity}",
        "evictions": str(evictions),
    }
    return row, checks


def cpu_per_event(load, samples):
    """CPU microseconds per answered event of the service, the stand-in sidecar and the generator,
    and the rate the machine's CPUs would allow at that cost if nothing else ran on them: on a
    shared machine, where the rate achieved says as much about the neighbours as about us."""
    answered = load["answered"]
    timed = [s for s in samples if "cpu_s" in s and "sidecar_cpu_s" in s]
    if not answered or len(timed) < 2:
        return "-"
    service = (timed[-1]["cpu_s"] - timed[0]["cpu_s"]) / answered * 1e6
    sidecar = (timed[-1]["sidecar_cpu_s"] - timed[0]["sidecar_cpu_s"]) / answered * 1e6
    generator = load.get("client_cpu", 0) * load["seconds"] / answered * 1e6
    total = service + sidecar + generator
    return (f"{service:.0f} / {sidecar:.0f} / {generator:.0f} "
            f"(all {os.cpu_count()} CPUs: {os.cpu_count() * 1e6 / total:.0f}/s)")


def table(rows):
    cols = list(rows[0].keys())
    width = {c: max(len(c), *(len(r[c]) for r in rows)) for c in cols}
    line = lambda values: "| " + " | ".join(v.ljust(width[c]) for c, v in zip(cols, values)) + " |"
    out = [line(cols), "|" + "|".join("-" * (width[c] + 2) for c in cols) + "|"]
    out += [line([r[c] for c in cols]) for r in rows]
    return "\n".join(out)


def report(directory):
    rows, checks = [], []
    for service in ("notification", "reminder", "recurring"):
        d = os.path.join(directory, service)
        config = read_json(os.path.join(d, "config.json"))
        if config is None:
            continue
        row, c = judge(service, config, read_json(os.path.join(d, "load.json")),
                       read_lines(os.path.join(d, "samples.jsonl")),
                       read_json(os.path.join(d, "final.json"), {}))
        if row:
            rows.append(row)
        checks += c
    if not checks:
        print("no results in " + directory)
        return 1
    if rows:
        first = read_json(os.path.join(directory, rows[0]["service"], "config.json"))
        print(f"## Direct load: {first['rate']:g} events/s for {first['seconds']:g} s, "
              f"{first['dup_share']:g} of them duplicates, DEDUP_CAPACITY={first['capacity']}, "
              f"{first['connections']} connections\n")
        print(table(rows))
    print("\n## Targets (issue 5)\n")
    verdict = lambda met: "met" if met else ("reported" if met is None else "MISSED")
    print(table([{"target": t, "measured": m, "": verdict(met)} for t, m, met in checks]))
    return 0 if all(met is not False for _, _, met in checks) else 1


def main(argv):
    if len(argv) >= 2 and argv[1] == "sample":
        return run_sampler(argv[2:])
    if len(argv) == 3 and argv[1] == "report":
        return report(argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
