#!/usr/bin/env python3
"""Cross-check `gridbot backtest --json` against grid_reference.py (spec/grid.md).

Generates a deterministic (seeded) set of configurations over the 1m candle CSVs in
/work/shared/data, runs both implementations, and compares every result figure:
integers exactly, `levels` exactly (as decimals), other decimals to 1e-8 absolute,
`stopped` exactly and `win_rate` null-ness exactly. Rejections must agree
(both exit with an error, or both succeed).

  python3 compare.py [--count 60] [--seed 1] [--data DIR] [--jobs N] [--verbose]

Binary: $GRIDBOT_BIN, default /work/target/release/gridbot.
Prints one line per mismatch and a final line `N passed, M failed`; exits 1 on any mismatch.
"""
import argparse
import concurrent.futures
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, "grid_reference.py")
DEFAULT_BIN = os.path.join(HERE, "..", "..", "target", "release", "gridbot")
DEFAULT_DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data"))
TOL = Decimal("1e-8")
INT_KEYS = ("orders_filled", "round_trips")
DEC_KEYS = ("qty_per_level", "realized_pnl", "fees_paid", "final_equity",
            "unrealized_pnl", "max_drawdown")
ALL_KEYS = ("levels",) + INT_KEYS + DEC_KEYS + ("win_rate", "stopped")
TRUNCATIONS = (5000, 12000, 20000, None)  # None = the full file
# 12000-row copies drop the header line; 20000-row copies carry open_time in microseconds


def candle_files(data_dir):
    out = []
    if not os.path.isdir(data_dir):
        print("note: %s is absent; comparing on generated candles only" % data_dir)
        return out
    for name in sorted(os.listdir(data_dir)):
        if name.endswith(".csv") and "-1m-" in name:
            out.append(os.path.join(data_dir, name))
    return out


def load_rows(path):
    with open(path) as fh:
        lines = fh.read().splitlines()
    header = None
    if lines and not lines[0][:1].isdigit():
        header, lines = lines[0], lines[1:]
    return header, [ln for ln in lines if ln.strip()]


def stats(rows):
    o0 = Decimal(rows[0].split(",")[1])
    lo = min(Decimal(r.split(",")[3]) for r in rows)
    hi = max(Decimal(r.split(",")[2]) for r in rows)
    return o0, lo, hi


def prepare_data(data_dir, tmp):
    """Write truncated copies; returns a list of datasets (path, start, low, high, rows)."""
    sets = []
    for path in candle_files(data_dir):
        header, rows = load_rows(path)
        base = os.path.splitext(os.path.basename(path))[0]
        for n in TRUNCATIONS:
            if n is None:
                sets.append((path, len(rows)) + stats(rows))
                continue
            part = rows[:n]
            with_header = header is not None and n != 12000  # 12000-row copies drop the header
            out = os.path.join(tmp, "%s-first%d%s%s.csv" % (base, n, "" if with_header else "-nohdr",
                                                        "-us" if n == 20000 else ""))
            with open(out, "w") as fh:
                if with_header:
                    fh.write(header + "\n")
                if n == 20000:  # Binance files from 2025 on use microseconds
                    part = [r.split(",", 1)[0] + "000," + r.split(",", 1)[1] for r in part]
                fh.write("\n".join(part) + "\n")
            sets.append((out, len(part)) + stats(part))
    return sets


def write_synthetic(tmp, seed):
    """A small synthetic kline file whose prices land exactly on round numbers (so on grid
    levels, stop and take-profit prices), with flat candles and gaps between close and open."""
    rng = random.Random(seed * 7919 + 1)
    path = os.path.join(tmp, "SYNTH-1m.csv")
    price = 150
    rows = []
    for i in range(3000):
        o = price if rng.random() < 0.8 else price + rng.choice([-10, -5, 5, 10])
        o = min(max(o, 80), 230)
        if rng.random() < 0.1:
            h = lo = c = o
        else:
            c = min(max(o + rng.choice([-10, -5, 0, 5, 10, 2.5, -2.5]), 80), 230)
            h = max(o, c) + rng.choice([0, 0, 5, 10])
            lo = min(o, c) - rng.choice([0, 0, 5, 10])
        rows.append("%d,%s,%s,%s,%s,1.0" % (1700000000000 + 60000 * i, o, h, lo, c))
        price = c
    with open(path, "w") as fh:
        fh.write("open_time,open,high,low,close,volume\n" + "\n".join(rows) + "\n")
    return path


def gen_synthetic(rng, path):
    levels = rng.choice([2, 3, 6, 11, 21, 41, 101])
    cfg = {"candles": path, "lower": rng.choice(["100", "100", "100.004", "99.996", "120", "140"]),
           "upper": rng.choice(["200", "200", "200.004", "160", "180"]), "levels": str(levels),
           "spacing": rng.choice(["arithmetic", "arithmetic", "geometric"]),
           "capital": rng.choice(["1000", "5000", "100000"]), "fee-rate": rng.choice(["0", "0.001"]),
           "tick-size": rng.choice(["0.01", "0.01", "1"]), "step-size": rng.choice(["0.001", "0.00001"]),
           "min-notional": "5"}
    if rng.random() < 0.5:
        cfg["stop-loss-pct"] = rng.choice(["5", "10", "12.5", "0.01", "0.004"])
    if rng.random() < 0.5:
        cfg["take-profit-pct"] = rng.choice(["5", "10", "12.5", "0.01", "0.002"])
    fee_asset(rng, cfg)
    cfg["_rows"] = 3000
    cfg["_kind"] = "synthetic"
    return cfg


def fee_asset(rng, cfg):
    """Fees in quote (the flag left out: the default, or said) or in base (Binance's default without BNB)."""
    choice = rng.choice([None, "quote", "base", "base"])
    if choice:
        cfg["fee-asset"] = choice


def fmt(d, places):
    q = Decimal(1).scaleb(-places)
    return format(Decimal(d).quantize(q), "f")


def gen_config(rng, sets):
    path, nrows, P, lo, hi = rng.choice(sets)
    levels = rng.choice([rng.randint(5, 60)] * 6 + [rng.randint(2, 200)] * 2 + [2, 3, 200])
    spacing = rng.choice(["arithmetic", "arithmetic", "geometric"])
    tick = rng.choice(["0.01", "0.01", "0.1", "1"])
    step = rng.choice(["0.00001", "0.00001", "0.001"])
    min_notional = rng.choice(["5"] * 4 + ["100"])
    fee = rng.choice(["0", "0.001", "0.001", "0.00075"])
    capital = fmt(Decimal(10 ** rng.uniform(2, 6)), rng.choice([0, 2]))
    places = rng.choice([0, 0, 2, 3])  # 3 places: L/U not on the tick
    kind = rng.choice(["wide", "wide", "both_exits", "both_exits", "narrow", "narrow",
                       "random", "tie", "tie_nonterm", "start_mid", "reject"])
    Pf, lof, hif = float(P), float(lo), float(hi)
    T = Decimal(tick)
    if kind == "wide":  # price stays inside
        L = Decimal(lof * rng.uniform(0.6, 0.999))
        U = Decimal(hif * rng.uniform(1.001, 1.5))
    elif kind == "both_exits":
        L = Decimal(Pf - (Pf - lof) * rng.uniform(0.1, 0.8))
        U = Decimal(Pf + (hif - Pf) * rng.uniform(0.1, 0.8))
    elif kind == "narrow":  # near the start price
        L = Decimal(Pf * (1 - rng.uniform(0.001, 0.03)))
        U = Decimal(Pf * (1 + rng.uniform(0.001, 0.03)))
    elif kind == "random":
        L = Decimal(rng.uniform(lof * 0.8, hif))
        U = L + Decimal(rng.uniform(0.01, 0.5) * Pf)
    elif kind == "tie":  # arithmetic steps of (m + 1/2) ticks: odd levels fall on ties
        spacing = "arithmetic"
        m = rng.randint(1, 400)
        d = T * (m + Decimal("0.5"))
        L = ((P - d * rng.randint(1, levels - 1)) / T).to_integral_value() * T
        U = L + d * (levels - 1)
        places = 8
    elif kind == "tie_nonterm":  # (U-L)/(N-1) non-terminating, but the middle level is a tie
        spacing = "arithmetic"
        levels = 2 * 3 * rng.randint(1, 16) + 1
        odd = rng.randint((levels - 1) // 2 + 1, 5000) * 2 + 1
        if odd % 3 == 0:
            odd += 2
        X = T * odd
        L = ((P - X / 2 + T * rng.randint(-odd // 3, odd // 3)) / T).to_integral_value() * T
        U = L + X
        places = 8
    elif kind == "start_mid":  # start price exactly between two levels, or on one
        spacing = "arithmetic"
        d = Decimal("0.02") * rng.randint(50, 5000) * (Decimal(tick) / Decimal("0.01"))
        kk = rng.randint(0, levels - 2)
        off = Decimal("0.5") if rng.random() < 0.7 else Decimal(0)
        L = P - d * (kk + off)
        U = L + d * (levels - 1)
        places = 8
    else:  # reject: lower >= upper, dense grid, tiny capital, or price outside
        r = rng.random()
        if r < 0.25:
            L = Decimal(Pf * 1.01); U = Decimal(Pf * rng.choice([0.99, 1.01]))
        elif r < 0.5:
            levels = 200; tick = "1"
            L = Decimal(Pf - 50); U = Decimal(Pf + 60)
        elif r < 0.75:
            L = Decimal(Pf * 0.9); U = Decimal(Pf * 1.1); capital = rng.choice(["1", "20", "100", "300"])
            levels = rng.randint(20, 200)
        else:
            L = Decimal(Pf * 1.001); U = Decimal(Pf * 1.2)
    if places < 8:
        L, U = fmt(L, places), fmt(U, places)
    else:
        L, U = format(L.normalize(), "f"), format(U.normalize(), "f")
    if Decimal(L) <= 0:
        L = "1"
    cfg = {"candles": path, "lower": L, "upper": U, "levels": str(levels), "spacing": spacing,
           "capital": capital, "fee-rate": fee, "tick-size": tick, "step-size": step,
           "min-notional": min_notional}
    # Note: a percentage of exactly 0 is left out on purpose: the spec gives no range for
    # s and t (s = 0 means S = L), but gridbot rejects 0 ("must be above 0"): a known divergence, reported separately.
    r = rng.random()
    if r < 0.3:  # stop loss, often one that triggers
        Ld = Decimal(L)
        if rng.random() < 0.6 and lo < Ld:
            s = (1 - lo / Ld) * 100 * Decimal(rng.uniform(0.05, 0.95))
            cfg["stop-loss-pct"] = fmt(max(s, Decimal("0.01")), rng.choice([2, 3]))
        else:
            cfg["stop-loss-pct"] = rng.choice(["0", "0.01", "0.5", "1", "2", "5", "10", "25"])
    if rng.random() < 0.3:
        Ud = Decimal(U)
        if rng.random() < 0.6 and hi > Ud:
            t = (hi / Ud - 1) * 100 * Decimal(rng.uniform(0.05, 0.95))
            cfg["take-profit-pct"] = fmt(max(t, Decimal("0.01")), rng.choice([2, 3]))
        else:
            cfg["take-profit-pct"] = rng.choice(["0", "0.01", "0.5", "1", "2", "5", "10", "25"])
    fee_asset(rng, cfg)
    cfg["_rows"] = nrows
    cfg["_kind"] = kind
    return cfg


def cli_args(cfg):
    out = []
    for k, v in cfg.items():
        if not k.startswith("_"):
            out += ["--" + k, v]
    return out


def run_one(cmd):
    t = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.time() - t
    if p.returncode != 0:
        return None, (p.stderr.strip() or p.stdout.strip()).splitlines()[:1], dt
    try:
        return json.loads(p.stdout), None, dt
    except ValueError:
        return None, ["unparseable output: " + p.stdout[:200]], dt


def dec(x):
    return Decimal(str(x))


def compare(rust, ref):
    """Returns a list of (key, rust value, reference value) that differ."""
    diffs = []
    for key in ALL_KEYS:
        if key not in rust:
            diffs.append((key, "<missing>", ref.get(key)))
            continue
        a, b = rust[key], ref[key]
        if key == "levels":
            ok = len(a) == len(b) and all(dec(x) == dec(y) for x, y in zip(a, b))
        elif key in INT_KEYS:
            ok = isinstance(a, int) and a == b
        elif key == "stopped":
            ok = a == b
        elif key == "win_rate":
            ok = (a is None) == (b is None) and (a is None or abs(dec(a) - dec(b)) <= TOL)
        else:
            ok = abs(dec(a) - dec(b)) <= TOL
        if not ok:
            if key == "levels" and len(a) == len(b):
                idx = [i for i, (x, y) in enumerate(zip(a, b)) if dec(x) != dec(y)]
                a = {i: a[i] for i in idx}
                b = {i: b[i] for i in idx}
            diffs.append((key, a, b))
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    binary = os.environ.get("GRIDBOT_BIN", DEFAULT_BIN)
    start = time.time()
    with tempfile.TemporaryDirectory(prefix="gridref-") as tmp:
        sets = prepare_data(args.data, tmp)
        rng = random.Random(args.seed)
        synth = write_synthetic(tmp, args.seed)
        cfgs = [gen_synthetic(rng, synth) if not sets or rng.random() < 0.15 else gen_config(rng, sets)
                for _ in range(args.count)]

        def job(cfg):
            a = cli_args(cfg)
            rust = run_one([binary, "backtest"] + a + ["--json"])
            ref = run_one([sys.executable, REFERENCE] + a)
            return cfg, rust, ref

        passed = failed = rejected = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
            for n, (cfg, rust, ref) in enumerate(ex.map(job, cfgs)):
                (rj, rerr, _), (fj, ferr, fdt) = rust, ref
                shown = " ".join(cli_args(cfg)).replace(tmp, "$TMP")
                shown += "  [rows=%d kind=%s]" % (cfg["_rows"], cfg["_kind"])
                if rj is None or fj is None:
                    if rj is None and fj is None:
                        passed += 1
                        rejected += 1
                        if args.verbose:
                            print("ok (both reject) #%d: %s | rust %s | ref %s" % (n, shown, rerr, ferr))
                    else:
                        failed += 1
                        print("MISMATCH #%d rejection: %s\n    rust: %s\n    ref:  %s"
                              % (n, shown, rerr if rj is None else "success", ferr if fj is None else "success"))
                    continue
                diffs = compare(rj, fj)
                if diffs:
                    failed += 1
                    print("MISMATCH #%d: %s" % (n, shown))
                    for key, a, b in diffs:
                        print("    %s: rust=%s ref=%s" % (key, json.dumps(a), json.dumps(b)))
                else:
                    passed += 1
                    if args.verbose:
                        print("ok #%d (%.2fs, filled=%d stopped=%s): %s"
                              % (n, fdt, fj["orders_filled"], fj["stopped"], shown))
    print("(%d configs, %d rejected by both, %.1fs)" % (args.count, rejected, time.time() - start),
          file=sys.stderr)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
