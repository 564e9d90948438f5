#!/usr/bin/env python3
"""Prints the table of scripts/bench from the raw results it wrote into one directory:
load.jsonl (one line per load run, from tew-bench-load), idle.jsonl (each server's RSS before any
load), micro.jsonl (tew-bench-micro), e2e.jsonl (publishing through daprd, with the time until every
event was delivered), skipped.jsonl (what was not measured, and why).
Ratios are per CPU-second of the server (events/s divided by the cores it used), all from the
same run; the targets are those of issue 6. Exits 1 when a server had connection errors or
answered nothing.

    bench/report.py <results dir>
"""
import json
import os
import sys

OURS = ["pipeline", "notification", "reminder", "recurring"]
PEERS = ["go-sdk", "fastapi", "node-sdk"]


def lines(directory, name):
    path = os.path.join(directory, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def per_core(run):
    return run["events_per_s"] / max(run.get("server_cpu", 1.0), 0.01)


def latencies(run):
    if not run:
        return "-"
    return "%.2f / %.2f / %.2f" % (run["p50_us"] / 1e3, run["p99_us"] / 1e3, run["p999_us"] / 1e3)


def mb(kb):
    return "-" if kb is None else "%.1f" % (kb / 1024)


def table(header, rows):
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    out = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(header, widths)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |" for row in rows]
    return "\n".join(out)


def main(directory):
    load = lines(directory, "load.jsonl")
    idle = {r["label"]: r["rss_idle_kb"] for r in lines(directory, "idle.jsonl")}
    micro = lines(directory, "micro.jsonl")
    skipped = lines(directory, "skipped.jsonl")
    e2e = {r["label"]: r for r in lines(directory, "e2e.jsonl")}
    labels = list(dict.fromkeys(r["label"] for r in load))
    rates = sorted({r["rate"] for r in load if r["rate"] > 0})

    def run(label, rate):
        return next((r for r in load if r["label"] == label and r["rate"] == rate), None)

    full = {label: run(label, 0) for label in labels if run(label, 0)}
    bare = full.get("bare")

    print("## Direct load: daprd's CloudEvents posted to each server, pinned to one core\n")
    header = ["server", "events/s", "server CPU", "events/CPU-s", "x bare"]
    header += ["p50/p99/p99.9 ms @%d/s" % r for r in rates]
    header += ["p50/p99/p99.9 ms full", "RSS idle MB", "RSS load MB", "not SUCCESS", "errors"]
    rows = []
    for label in labels:
        f = full.get(label)
        if not f:
            continue
        rows.append([label, "%.0f" % f["events_per_s"], "%.2f" % f.get("server_cpu", 0),
                     "%.0f" % per_core(f), "%.2f" % (per_core(f) / per_core(bare)) if bare else "-"]
                    + [latencies(run(label, r)) for r in rates]
                    + [latencies(f), mb(idle.get(label)),
                       mb(max(r.get("rss_load_kb", 0) for r in load if r["label"] == label)),
                       sum(r["non_success"] for r in load if r["label"] == label),
                       sum(r["errors"] for r in load if r["label"] == label)])
    print(table(header, rows))

    peers = [p for p in PEERS if p in full]
    ours = [s for s in OURS if s in full]
    if ours and (bare or peers):
        print("\n## Ratios of events per CPU-second, same run\n")
        header = ["service"] + (["x bare"] if bare else []) + ["x " + p for p in peers]
        rows = [[s] + (["%.2f" % (per_core(full[s]) / per_core(bare))] if bare else [])
                + ["%.2f" % (per_core(full[s]) / per_core(full[p])) for p in peers] for s in ours]
        print(table(header, rows))

    if micro:
        print("\n## Micro-benchmarks\n")
        rows = []
        for m in micro:
            if m["name"] == "reminder tick":
                rows.append(["reminder tick, %d scheduled, %d due" % (m["scheduled"], m["due"]),
                             "%.2f ms median, %.2f ms max of %d ticks; per tick %d records read, "
                             "%d state calls" % (m["tick_ms_median"], m["tick_ms_max"], m["rounds"],
                                                 m["records_read"] // m["rounds"],
                                                 m["sidecar_calls"] // m["rounds"])])
            elif m["name"] == "dedup memory":
                rows.append(["dedup memory, %d ids remembered" % m["remembered"],
                             "%.1f MB RSS (%.0f bytes per id)" % (m["rss_delta_kb"] / 1024,
                                                                 m["bytes_per_id"])])
            else:
                rows.append([m["name"], "%.0f ns/op (%.0f ops/s)" % (m["ns_per_op"], m["ops_per_s"])])
        print(table(["benchmark", "result"], rows))

    if e2e:
        print("\n## End to end: published through daprd, delivered from Redis Streams by daprd\n")
        rows = [[label, r["ok"], "%.0f" % r["events_per_s"], "%.1f" % r["waited_s"],
                 "%.0f" % r["delivered_per_s"]] for label, r in e2e.items()]
        print(table(["app", "events", "published/s", "s to deliver the rest", "delivered/s"], rows))

    print("\n## Targets (issue 6)\n")
    rows = []

    def target(what, measured, met):
        rows.append([what, measured, "-" if met is None else ("met" if met else "MISSED")])

    for s in ours:
        c = per_core(full[s])
        for name, factor in [("bare", 0.7), ("go-sdk", 1.5), ("fastapi", 8)]:
            other = bare if name == "bare" else full.get(name)
            if other:
                ratio = c / per_core(other)
                target("%s events/CPU-s >= %g x %s" % (s, factor, name), "%.2f x" % ratio,
                       ratio >= factor)
        at10k = run(s, 10000)
        if at10k:
            target("%s p99 < 1 ms at 10k events/s" % s, "%.2f ms (%.0f events/s achieved)" % (
                at10k["p99_us"] / 1e3, at10k["events_per_s"]), at10k["p99_us"] < 1000)
        if s in idle:
            target("%s RSS idle < 15 MB" % s, mb(idle[s]) + " MB", idle[s] < 15 * 1024)
        peak = max(r.get("rss_load_kb", 0) for r in load if r["label"] == s)
        target("%s RSS under load < 64 MB" % s, mb(peak) + " MB", peak < 64 * 1024)
    for m in micro:
        if m["name"] == "dedup memory" and m["remembered"] >= 1_000_000:
            target("in-memory dedup: 1 M ids < 128 MB", "%.1f MB" % (m["rss_delta_kb"] / 1024),
                   m["rss_delta_kb"] < 128 * 1024)
    ticks = sorted((m for m in micro if m["name"] == "reminder tick"), key=lambda m: m["scheduled"])
    if len(ticks) >= 2:
        ratio = ticks[-1]["tick_ms_median"] / ticks[0]["tick_ms_median"]
        target("reminder tick independent of the number scheduled (%d vs %d, same due; "
               "met when < 2 x)" % (ticks[-1]["scheduled"], ticks[0]["scheduled"]),
               "%.2f x" % ratio, ratio < 2)
    for app in ["pipeline", "notification"]:  # the library's delivery path; a whole service
        if app in e2e and "null app" in e2e:
            ratio = e2e[app]["delivered_per_s"] / e2e["null app"]["delivered_per_s"]
            target("end to end: %s delivered/s >= 0.95 x the null app's" % app,
                   "%.2f x" % ratio, ratio >= 0.95)
    print(table(["target", "measured", ""], rows))

    for s in skipped:
        print("\nnot measured: %s (%s)" % (s["label"], s["reason"]))
    failed = [r["label"] for r in load if r["answered"] == 0 or r["errors"] > 0]
    if failed:
        print("\nconnection errors, or no answer at all, from: " + ", ".join(sorted(set(failed))))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
