#!/usr/bin/env python3
"""Turns one benchmarks/run.sh run (RESULT_DIR/meta.env and raw.tsv) into the
markdown tables of docs/BENCHMARKS.md, on stdout.

raw.tsv has one line per measurement: section, target, parameter, round, and
the key=value pairs of the tool's RESULT line. Every table shows the median
over rounds; ratios compare medians measured in this same run. Rows of a
server that did not run read "pending"."""

import statistics
import sys
from collections import defaultdict
from pathlib import Path

LABELS = {
    "nginx": "nginx static 200",
    "sluice-full": "sluice, durability full",
    "sluice-normal": "sluice, durability normal",
    "moto": "moto_server",
    "sluice": "sluice",
    "sluice-million": "sluice, durability full",
}
SQS_TARGETS = ["sluice-full", "sluice-normal", "moto"]


def load(result_dir):
    meta = {}
    for line in (result_dir / "meta.env").read_text().splitlines():
        key, _, value = line.partition("=")
        meta[key] = value
    rows = defaultdict(list)  # (section, target, param) -> [dict per round]
    for line in (result_dir / "raw.tsv").read_text().splitlines():
        section, target, param, _round, pairs = line.split("\t", 4)
        values = {}
        for pair in pairs.split():
            key, _, value = pair.partition("=")
            try:
                values[key] = float(value)
            except ValueError:
                values[key] = value
        rows[(section, target, param)].append(values)
    return meta, rows


def median(rounds, key):
    values = [r[key] for r in rounds if isinstance(r.get(key), float)]
    return statistics.median(values) if values else None


def errors(rounds):
    keys = ["non200", "bad_body", "connect_errors", "read_errors", "write_errors", "timeouts", "errors", "failed"]
    return int(sum(r.get(k, 0) for r in rounds for k in keys if isinstance(r.get(k), float)))


def num(value, digits=0):
    if value is None:
        return "pending"
    return f"{value:,.{digits}f}"


def ms(value):
    if value is None:
        return "pending"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def ratio(a, b, as_percent=False):
    if a is None or b is None:
        return "pending"
    if b == 0:
        return "–"
    if as_percent:
        percent = 100 * a / b
        return f"{percent:.0f}%" if percent >= 10 else f"{percent:.2g}%"
    return f"{a / b:,.1f}×" if a / b < 100 else f"{a / b:,.0f}×"


def each(rounds, key, digits=0):
    return ", ".join(num(r.get(key), digits) if isinstance(r.get(key), float) else "?" for r in rounds)


def send_table(meta, rows, out):
    conns = sorted({int(p) for (s, _, p) in rows if s == "send"})
    out.append("| Server | Conns | req/s (median) | p50 ms | p99 ms | errors | vs nginx | vs moto | req/s per round |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for target in ["nginx"] + SQS_TARGETS:
        for c in conns:
            r = rows.get(("send", target, str(c)), [])
            nginx = median(rows.get(("send", "nginx", str(c)), []), "ok_rps")
            moto = median(rows.get(("send", "moto", str(c)), []), "ok_rps")
            rps = median(r, "ok_rps")
            vs_nginx = "" if target == "nginx" else ratio(rps, nginx, as_percent=True)
            vs_moto = "" if target in ("moto",) else ratio(rps, moto)
            out.append(f"| {LABELS[target]} | {c} | {num(rps)} | {ms(median(r, 'p50_ms'))} | "
                       f"{ms(median(r, 'p99_ms'))} | {errors(r) if r else 'pending'} | {vs_nginx} | {vs_moto} | "
                       f"{each(r, 'ok_rps') if r else 'pending'} |")


def batch_table(meta, rows, out):
    out.append("| Server | Conns | messages/s (median) | req/s | p50 ms | p99 ms | errors | vs moto | messages/s per round |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    moto = median(rows.get(("batch", "moto", meta.get("batch_connections", "64")), []), "msgs_per_s")
    for target in SQS_TARGETS:
        r = rows.get(("batch", target, meta.get("batch_connections", "64")), [])
        value = median(r, "msgs_per_s")
        out.append(f"| {LABELS[target]} | {meta.get('batch_connections', '64')} | {num(value)} | "
                   f"{num(median(r, 'ok_rps'))} | {ms(median(r, 'p50_ms'))} | {ms(median(r, 'p99_ms'))} | "
                   f"{errors(r) if r else 'pending'} | {'' if target == 'moto' else ratio(value, moto)} | "
                   f"{each(r, 'msgs_per_s') if r else 'pending'} |")


def consume_table(meta, rows, out):
    out.append("| Server | Consumers | pre-filled | received+deleted msgs/s (median) | receive p50 ms | receive p99 ms "
               "| fill msgs/s (loadgen) | errors | vs moto | msgs/s per round |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    consumers = meta.get("consumers", "16")
    moto = median(rows.get(("consume", "moto", consumers), []), "msgs_per_s")
    for target in SQS_TARGETS:
        r = rows.get(("consume", target, consumers), [])
        fills = [v for (s, t, _), v in rows.items() if s == "fill" and t == target]
        fill = fills[0] if fills else []
        value = median(r, "msgs_per_s")
        prefilled = num(median(fill, "messages")) if fill else "pending"
        out.append(f"| {LABELS[target]} | {consumers} | {prefilled} | {num(value)} | "
                   f"{ms(median(r, 'receive_p50_ms'))} | {ms(median(r, 'receive_p99_ms'))} | "
                   f"{num(median(fill, 'msgs_per_s'))} | {errors(r) + errors(fill) if r else 'pending'} | "
                   f"{'' if target == 'moto' else ratio(value, moto)} | {each(r, 'msgs_per_s') if r else 'pending'} |")


def million_table(meta, rows, out):
    big = int(meta.get("million", "1000000"))
    out.append("| Server | Queue depth | receive p50 ms | receive p90 ms | receive p99 ms | RSS | fill msgs/s | "
               "data dir on disk | p50 per round |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for target, depths in (("sluice-million", [10, big]), ("moto", [10])):
        r = rows.get(("million", target, "pair"), [])
        for index, depth in enumerate(depths):
            prefix = f"q{index}_receive"
            fill = rows.get(("million-fill", target, str(depth)), [])
            rss = rows.get(("million-rss", target, str(depth) if index else "0"), [])
            rss_kb, disk_kb = median(rss, "rss_kb"), median(rss, "disk_kb")
            rss_text = num(rss_kb / 1024, 1) + " MB" if rss_kb else ("" if target == "moto" else "pending")
            out.append(f"| {LABELS[target]} | {depth:,} | {ms(median(r, prefix + '_p50_ms'))} | "
                       f"{ms(median(r, prefix + '_p90_ms'))} | {ms(median(r, prefix + '_p99_ms'))} | {rss_text} | "
                       f"{num(median(fill, 'msgs_per_s')) if index else ''} | "
                       f"{num(disk_kb / 1024, 0) + ' MB' if disk_kb else ''} | "
                       f"{each(r, prefix + '_p50_ms', 3) if r else 'pending'} |")
    out.append(f"| moto_server | {big:,} | n/a | n/a | n/a | n/a | | | not measured: moto's SendMessage slows as "
               f"its queue grows, so filling it would take far longer than the suite |")


def startup_table(meta, rows, out):
    out.append("| Server | exec → first 200, median ms | min | max | VmRSS at first 200 | VmRSS after 1 s idle | "
               "ms per run |")
    out.append("|---|---:|---:|---:|---:|---:|---|")
    for target in ("sluice", "moto"):
        r = rows.get(("startup", target, "-"), [])
        ready, idle = median(r, "rss_ready_kb"), median(r, "rss_idle_kb")
        out.append(f"| {LABELS[target]} | {ms(median(r, 'median_ms'))} | {ms(median(r, 'min_ms'))} | "
                   f"{ms(median(r, 'max_ms'))} | {num(ready / 1024, 1) + ' MB' if ready else 'pending'} | "
                   f"{num(idle / 1024, 1) + ' MB' if idle else 'pending'} | "
                   f"{r[0].get('all_ms', 'pending') if r else 'pending'} |")


def webhook_table(meta, rows, out):
    conns = meta.get("webhook_connections", "64")
    nginx = median(rows.get(("webhook", "nginx", conns), []), "ok_rps")
    send = median(rows.get(("webhook-send", "sluice-webhook", conns), []), "ok_rps")
    out.append("| Path | Conns | req/s (median) | p50 ms | p99 ms | errors | vs nginx | vs SendMessage | req/s per round |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for section, target, label in (("webhook", "nginx", "nginx static 200"),
                                   ("webhook", "sluice-webhook", "sluice POST /webhook (durable)"),
                                   ("webhook-send", "sluice-webhook", "sluice SendMessage (durable, same server)")):
        r = rows.get((section, target, conns), [])
        rps = median(r, "ok_rps")
        out.append(f"| {label} | {conns} | {num(rps)} | {ms(median(r, 'p50_ms'))} | {ms(median(r, 'p99_ms'))} | "
                   f"{errors(r) if r else 'pending'} | {'' if target == 'nginx' else ratio(rps, nginx, True)} | "
                   f"{ratio(rps, send, True) if section == 'webhook' and target != 'nginx' else ''} | "
                   f"{each(r, 'ok_rps') if r else 'pending'} |")


def sink_table(meta, rows, out):
    out.append("| Object size | Mode | objects/s (median) | MB/s | p50 ms | p99 ms | vs plain files | objects/s per round |")
    out.append("|---|---|---:|---:|---:|---:|---:|---|")
    for size in ("1024", "1048576"):
        plain = median(rows.get(("sink", "plain", size), []), "objects_per_s")
        label = "1 KiB" if size == "1024" else "1 MiB"
        for mode, text in (("plain", "plain write + fsync (ceiling)"), ("sink", "sealed sink put (durable)")):
            r = rows.get(("sink", mode, size), [])
            value = median(r, "objects_per_s")
            out.append(f"| {label} | {text} | {num(value)} | {num(median(r, 'mb_per_s'), 1)} | "
                       f"{ms(median(r, 'p50_ms'))} | {ms(median(r, 'p99_ms'))} | "
                       f"{'' if mode == 'plain' else ratio(value, plain, True)} | "
                       f"{each(r, 'objects_per_s') if r else 'pending'} |")


def s3_table(meta, rows, out):
    out.append("| Operation | Target | median | unit | p99 ms | errors | vs plain-file ceiling | vs moto | per round |")
    out.append("|---|---|---:|---|---:|---:|---:|---:|---|")
    cases = (("s3-put", "4KiB", "ok_rps", "objects/s", "plain-files", "plain write + fsync, 16 threads"),
             ("s3-get", "4KiB", "ok_rps", "objects/s", "nginx-files", "nginx serving the file"),
             ("s3-big-put", "64MiB", "mb_per_s", "MB/s", "plain-files", "dd conv=fsync"),
             ("s3-big-get", "64MiB", "mb_per_s", "MB/s", "nginx-files", "nginx serving the file"))
    for section, param, key, unit, ceiling, ceiling_label in cases:
        def value_of(target, r):
            # sluice_sink_bench (the plain-file write ceiling) reports objects_per_s.
            return median(r, "objects_per_s" if key == "ok_rps" and target == "plain-files" else key)
        top = value_of(ceiling, rows.get((section, ceiling, param), []))
        moto = median(rows.get((section, "moto", param), []), key)
        for target, label in ((ceiling, ceiling_label), ("sluice-s3", "sluice (durable, encrypted)"), ("moto", "moto_server")):
            r = rows.get((section, target, param), [])
            value = value_of(target, r)
            name = section.replace("s3-big-", "").replace("s3-", "")
            out.append(f"| {name} {param} | {label} | {num(value, 1 if unit == 'MB/s' else 0)} | {unit} | "
                       f"{ms(median(r, 'p99_ms')) if 'p99_ms' in (r[0] if r else {}) else ''} | "
                       f"{errors(r) if r else 'pending'} | {'' if target == ceiling else ratio(value, top, True)} | "
                       f"{ratio(value, moto) if target == 'sluice-s3' else ''} | "
                       f"{each(r, 'objects_per_s' if target == 'plain-files' and key == 'ok_rps' else key, 1) if r else 'pending'} |")
    peak = median(rows.get(("s3-rss", "sluice-s3", "peak"), []), "peak_rss_kb")
    out.append("")
    out.append(f"Peak RSS of the sluice process over the whole S3 section (64 MiB objects included): "
               f"{num(peak / 1024, 1) + ' MB' if peak else 'pending'}.")


def query_table(meta, rows, out):
    conns = meta.get("query_connections", "64")
    json_rps = median(rows.get(("query-json", "sluice-query", conns), []), "ok_rps")
    out.append("| Protocol | Conns | req/s (median) | p50 ms | p99 ms | errors | vs JSON | req/s per round |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---|")
    for section, label in (("query-json", "JSON (X-Amz-Target)"), ("query-xml", "Query (form in, XML out)")):
        r = rows.get((section, "sluice-query", conns), [])
        rps = median(r, "ok_rps")
        out.append(f"| {label} | {conns} | {num(rps)} | {ms(median(r, 'p50_ms'))} | {ms(median(r, 'p99_ms'))} | "
                   f"{errors(r) if r else 'pending'} | {ratio(rps, json_rps, True)} | {each(r, 'ok_rps') if r else 'pending'} |")


def fifo_table(meta, rows, out):
    groups = meta.get("fifo_groups", "100")
    out.append("| Target | groups | messages/s sent+deleted (median) | order violations | throttled calls | errors | per round |")
    out.append("|---|---:|---:|---:|---:|---:|---|")
    for target, label in (("sluice-fifo", "sluice (durable), quotas off"),
                          ("sluice-fifo-quota", "sluice (durable), AWS's FIFO quotas"),
                          ("moto", "moto_server")):
        r = rows.get(("fifo", target, groups), [])
        out.append(f"| {label} | {groups} | {num(median(r, 'msgs_per_s'))} | "
                   f"{num(median(r, 'order_violations')) if r and 'order_violations' in r[0] else '?'} | "
                   f"{num(median(r, 'throttled')) if r and 'throttled' in r[0] else '-'} | "
                   f"{errors(r) if r else 'pending'} | {each(r, 'msgs_per_s') if r else 'pending'} |")


def summary_table(meta, rows, out):
    sections = set(meta.get("sections", "").split())

    def m(section, target, param, key):
        return median(rows.get((section, target, param), []), key)

    def met(value, ok):
        return "pending" if value is None else ("yes" if ok else "**no**")

    send64 = m("send", "sluice-full", "64", "ok_rps")
    nginx64, moto64 = m("send", "nginx", "64", "ok_rps"), m("send", "moto", "64", "ok_rps")
    batch = m("batch", "sluice-full", meta.get("batch_connections", "64"), "msgs_per_s")
    startup = m("startup", "sluice", "-", "median_ms")
    idle = m("startup", "sluice", "-", "rss_idle_kb")
    small = m("million", "sluice-million", "pair", "q0_receive_p50_ms")
    big = m("million", "sluice-million", "pair", "q1_receive_p50_ms")
    fsync = median([r for (s, t, _), v in rows.items() if s == "fsync" and t == "disk-overwrite" for r in v],
                   "fsyncs_per_s")
    share = send64 / nginx64 if send64 and nginx64 else None
    times = send64 / moto64 if send64 and moto64 else None
    depth = int(meta.get("million", "1000000"))

    conns = meta.get("webhook_connections", "64")
    webhook = m("webhook", "sluice-webhook", conns, "ok_rps")
    webhook_send = m("webhook-send", "sluice-webhook", conns, "ok_rps")
    sink_small, plain_small = m("sink", "sink", "1024", "objects_per_s"), m("sink", "plain", "1024", "objects_per_s")
    sink_big, plain_big = m("sink", "sink", "1048576", "mb_per_s"), m("sink", "plain", "1048576", "mb_per_s")

    def within(a, b, factor):
        return met(a if b else None, a is not None and b is not None and a * factor >= b)

    claims = [  # (sections that measure it, row)
        ({"webhook"}, f"| POST /webhook vs SendMessage, same server, {conns} conns | within 2× | "
                      f"{ratio(webhook, webhook_send, True)} ({num(webhook)} vs {num(webhook_send)} req/s) | "
                      f"{within(webhook, webhook_send, 2)} |"),
        ({"sink"}, f"| sink 1 KiB puts vs plain write+fsync | within 1.5× | {ratio(sink_small, plain_small, True)} "
                   f"({num(sink_small)} vs {num(plain_small)} objects/s) | {within(sink_small, plain_small, 1.5)} |"),
        ({"sink"}, f"| sink 1 MiB puts vs plain write+fsync | within 1.5× | {ratio(sink_big, plain_big, True)} "
                   f"({num(sink_big, 1)} vs {num(plain_big, 1)} MB/s) | {within(sink_big, plain_big, 1.5)} |"),
        ({"send"}, f"| durable SendMessage at 64 conns vs nginx static 200 | ≥ 50% | {ratio(send64, nginx64, True)} "
                   f"({num(send64)} vs {num(nginx64)} req/s) | {met(share, share is not None and share >= 0.5)} |"),
        ({"send"}, f"| durable SendMessage at 64 conns vs moto | ≥ 50× | {ratio(send64, moto64)} "
                   f"({num(send64)} vs {num(moto64)} req/s) | {met(times, times is not None and times >= 50)} |"),
        ({"batch"}, f"| durable SendMessageBatch (10 entries) | ≥ 150,000 msg/s | {num(batch)} msg/s | "
                    f"{met(batch, batch is not None and batch >= 150_000)} |"),
        ({"startup"}, f"| exec → first 200 on /health | ≤ 15 ms | {ms(startup)} ms | "
                      f"{met(startup, startup is not None and startup <= 15)} |"),
        ({"startup"}, f"| idle RSS | ≤ 15 MB | {num(idle / 1024, 1) + ' MB' if idle else 'pending'} | "
                      f"{met(idle, idle is not None and idle <= 15 * 1024)} |"),
        ({"million"}, f"| receive p50 at {depth:,} queued vs 10 queued | about the same (≤ 1.5×) | "
                      f"{ms(big)} vs {ms(small)} ms ({ratio(big, small)}) | "
                      f"{met(big if small else None, big is not None and small is not None and big <= 1.5 * small)} |"),
        ({"send", "fsync"}, f"| durable SendMessage at 64 conns vs the disk's fsync rate (overwrite) | group commit: ≫ 1 | "
                            f"{ratio(send64, fsync)} ({num(send64)} req/s vs {num(fsync)} fsyncs/s) | "
                            f"{met(send64 if fsync else None, send64 is not None and fsync and send64 > 2 * fsync)} |"),
    ]
    out.append("| Claim | Target | Measured | Met |")
    out.append("|---|---|---|---|")
    out.extend(row for needs, row in claims if needs <= sections)


def main():
    result_dir = Path(sys.argv[1])
    meta, rows = load(result_dir)
    sections = meta.get("sections", "").split()
    out = [f"## Results {meta.get('stamp', '')}", ""]
    out.append(f"Machine: {meta.get('nproc')} cores ({meta.get('cpu')}), {meta.get('memory_mb')} MB RAM, "
               f"kernel {meta.get('kernel')}, disk {meta.get('disk')}. Load average {meta.get('loadavg_start')} "
               f"at start, {meta.get('loadavg_end')} at end (the machine is shared). Commit {meta.get('commit')}; "
               f"wrk {meta.get('wrk')}, nginx {meta.get('nginx')} ({meta.get('nginx_workers')} worker), "
               f"moto {meta.get('moto')}. {meta.get('runs')} rounds, medians shown; wrk runs of "
               f"{meta.get('duration')} s.")
    out += ["", "### Against the targets", ""]
    summary_table(meta, rows, out)
    if "send" in sections:
        out += ["", "### 1. SendMessage (wrk, 64-byte bodies)", ""]
        send_table(meta, rows, out)
    if "batch" in sections:
        out += ["", "### 2. SendMessageBatch, 10 entries (wrk)", ""]
        batch_table(meta, rows, out)
    if "consume" in sections:
        out += ["", "### 3. ReceiveMessage (10) + DeleteMessageBatch (sluice_loadgen)", ""]
        consume_table(meta, rows, out)
    if "startup" in sections:
        out += ["", "### 4, 5. Startup and idle memory (sluice_startup_probe)", ""]
        startup_table(meta, rows, out)
    if "million" in sections:
        out += ["", "### 6. A deep queue: single ReceiveMessage latency and RSS (sluice_loadgen latency)", ""]
        million_table(meta, rows, out)
    if "webhook" in sections:
        out += ["", "### 8. The webhook path: validate + dedup + route + durable commit (wrk, unique event ids)", ""]
        webhook_table(meta, rows, out)
    if "sink" in sections:
        out += ["", "### 9. The sink: sealed durable puts vs plain files with fsync (sluice_sink_bench)", ""]
        sink_table(meta, rows, out)
    if "s3" in sections:
        out += ["", "### 10. S3 over the sink: 4 KiB objects (wrk, 16 conns) and 64 MiB objects (curl)", ""]
        s3_table(meta, rows, out)
    if "query" in sections:
        out += ["", "### 11. SQS Query protocol vs JSON: SendMessage, same server", ""]
        query_table(meta, rows, out)
    if "fifo" in sections:
        out += ["", "### 12. FIFO queues: send + receive + delete across message groups (sluice_loadgen fifo)", ""]
        fifo_table(meta, rows, out)
    if "fsync" in sections:
        out += ["", "### 7. The disk (sluice_fsync_loop: 100-byte write + fdatasync)", ""]
        out.append("Sampled before every durable SendMessage run (or once per round without `send`).")
        out.append("")
        out.append("| Mode | samples | fsyncs/s (median) | p50 ms | p99 ms | fsyncs/s per sample |")
        out.append("|---|---:|---:|---:|---:|---|")
        for mode in ("append", "overwrite"):
            r = [x for (s, t, _), v in sorted(rows.items()) if s == "fsync" and t == "disk-" + mode for x in v]
            out.append(f"| {mode} | {len(r)} | {num(median(r, 'fsyncs_per_s'))} | {ms(median(r, 'p50_ms'))} | "
                       f"{ms(median(r, 'p99_ms'))} | {each(r, 'fsyncs_per_s')} |")
    print("\n".join(out))


if __name__ == "__main__":
    main()
