#!/usr/bin/env python3
"""Cross-check `gridbot backtest --strategy mean_reversion --config JSON --json` against
mean_reversion_reference.py (spec/mean-reversion.md), figure by figure and exactly.

Generates a deterministic (seeded) set of configurations — window 2..500, band, stop loss or none, fee rate, fee
asset, filters, capital — over the real 1m candle CSVs in ../shared/data (whole files and truncated copies) and a
synthetic file of small whole prices, where closes land exactly on the mean and on the band. Runs both and compares
every result figure of the spec: integers and decimals exactly (as decimals, so `1.50` equals `1.5`), `win_rate`
and `stopped` exactly, null included. Rejections must agree (both refuse, or both run).

  python3 compare_mean_reversion.py [--count 40] [--seed 1] [--data DIR] [--jobs N] [--verbose]

Binary: $GRIDBOT_BIN, default ../../target/release/gridbot.
Prints one block per mismatch and a final line `N passed, M failed`; exits 1 on any mismatch.
"""
import argparse
import concurrent.futures
import json
import os
import random
import sys
import tempfile
import time
from decimal import Decimal

from compare import run_one  # the grid's comparison, beside this file: one way to run a command and read its JSON

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, "mean_reversion_reference.py")
DEFAULT_BIN = os.path.join(HERE, "..", "..", "target", "release", "gridbot")
DEFAULT_DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data"))
INT_KEYS = ("orders_filled", "round_trips")
DEC_KEYS = ("realized_pnl", "fees_paid", "final_equity", "unrealized_pnl", "max_drawdown")
ALL_KEYS = INT_KEYS + DEC_KEYS + ("win_rate", "stopped")
TRUNCATIONS = (3000, 20000, None)  # None = the whole file


def datasets(data_dir, tmp, seed):
    """(path, rows, step sizes that suit the symbol) for every candle file and truncated copy, and a synthetic file."""
    out = []
    names = sorted(os.listdir(data_dir)) if os.path.isdir(data_dir) else []
    if not names:
        print("note: %s is absent; comparing on synthetic candles only" % data_dir)
    for name in names:
        if not (name.endswith(".csv") and "-1m-" in name):
            continue
        path = os.path.join(data_dir, name)
        with open(path) as fh:
            lines = fh.read().splitlines()
        header, rows = (lines[0], lines[1:]) if not lines[0][:1].isdigit() else (None, lines)
        steps = ["0.0001", "0.001", "0.01"] if name.startswith("ETH") else ["0.00001", "0.00001", "0.001"]
        for n in TRUNCATIONS:
            if n is None:
                out.append((path, len(rows), steps))
                continue
            part = os.path.join(tmp, "%s-first%d.csv" % (name[:-4], n))
            with open(part, "w") as fh:
                fh.write(((header + "\n") if header else "") + "\n".join(rows[:n]) + "\n")
            out.append((part, min(n, len(rows)), steps))
    # Small whole prices: n*c == S1 (exit exactly at the mean), D^2 == k^2 (n S2 - S1^2) (entry exactly at a
    # whole band) and a low exactly at the stop price (a whole percentage of a round entry) happen often.
    rng = random.Random(seed * 7919 + 3)
    price, rows = 100, []
    for i in range(4000):
        o = price
        c = max(80, min(120, o + rng.choice([-3, -2, -1, -1, 0, 0, 1, 1, 2, 3])))
        h = max(o, c) + rng.choice([0, 0, 1, 4])
        lo = max(1, min(o, c) - rng.choice([0, 0, 1, 6, 12, 20]))
        rows.append("%d,%d,%d,%d,%d,1" % (1700000000000 + 60000 * i, o, h, lo, c))
        price = c if rng.random() < 0.9 else max(80, min(120, c + rng.choice([-5, 5])))
    synth = os.path.join(tmp, "SYNTH-1m.csv")
    with open(synth, "w") as fh:
        fh.write("open_time,open,high,low,close,volume\n" + "\n".join(rows) + "\n")
    out.append((synth, len(rows), ["0.001", "0.01", "1"]))
    return out


def decimal_text(rng, lo, hi, places):
    v = Decimal(rng.uniform(lo, hi)).quantize(Decimal(1).scaleb(-places))
    return format(v.normalize(), "f") if v != 0 else "0"


def maybe_number(rng, text):
    """Decimals travel as JSON strings or numbers; both are read."""
    if rng.random() < 0.3:
        v = Decimal(text)
        return int(v) if v == v.to_integral_value() else float(text)
    return text


def gen_config(rng, sets):
    path, rows, steps = sets[-1] if rng.random() < 0.2 else rng.choice(sets)  # the synthetic file, or a real one
    window = rng.choice([rng.randint(2, 30)] * 5 + [rng.randint(30, 200)] * 3 + [rng.randint(200, 500), 2, 500])
    # One close among n is at most sqrt(n - 1) population stdevs below their mean: most bands are below that.
    reach = min(3.5, 0.95 * (window - 1) ** 0.5)
    band = rng.choice([decimal_text(rng, 0.1, reach, rng.choice([0, 1, 2, 3, 8]))] * 3
                      + [decimal_text(rng, 0.3, 3.5, 2), "1", "2", "2.5", "3"])
    if band == "0":
        band = "0.5"
    cfg = {"capital": decimal_text(rng, 10, 10 ** rng.uniform(1.5, 6), rng.choice([0, 0, 2, 8])),
           "window": window, "band": maybe_number(rng, band)}
    if rng.random() < 0.6:
        cfg["stop_loss_pct"] = maybe_number(rng, rng.choice(
            [decimal_text(rng, 0.01, 1, rng.choice([1, 2, 3, 4]))] * 3
            + [decimal_text(rng, 0.05, 5, rng.choice([0, 1, 2])), "0.5", "1", "5", "99.99"]))
        if cfg["stop_loss_pct"] in ("0", 0):
            cfg["stop_loss_pct"] = "0.1"
        if path == sets[-1][0] and rng.random() < 0.7:  # whole stop prices from round entries
            cfg["stop_loss_pct"] = maybe_number(rng, rng.choice(["5", "10", "10", "20", "25", "12.5"]))
    if rng.random() < 0.8:
        cfg["fee_rate"] = rng.choice(["0", "0.001", "0.001", "0.00075", "0.0001", "0.002"])
    if rng.random() < 0.7:
        cfg["fee_asset"] = rng.choice(["quote", "base", "base"])
    if rng.random() < 0.7:
        cfg["step_size"] = rng.choice(steps)
    if rng.random() < 0.3:
        cfg["tick_size"] = rng.choice(["0.01", "0.1", "1"])
    if rng.random() < 0.5:
        cfg["min_notional"] = rng.choice(["0", "5", "10", "100", "1000"])
    kind = "valid"
    if rng.random() < 0.06:  # refused by both
        key, bad = rng.choice([("window", 1), ("window", 501), ("band", "0"), ("band", "10.5"),
                               ("stop_loss_pct", "0"), ("stop_loss_pct", "100"), ("capital", "0"),
                               ("fee_asset", "bnb")])
        cfg[key] = bad
        kind = "invalid " + key
    return {"candles": path, "rows": rows, "config": cfg, "kind": kind}


def compare(rust, ref):
    diffs = []
    for key in ALL_KEYS:
        if key not in rust:
            diffs.append((key, "<missing>", ref.get(key)))
            continue
        a, b = rust[key], ref[key]
        if key in INT_KEYS:
            ok = isinstance(a, int) and a == b
        elif key == "stopped":
            ok = a is None and b is None
        elif key == "win_rate":
            ok = (a is None) == (b is None) and (a is None or Decimal(a) == Decimal(b))
        else:
            ok = isinstance(a, str) and Decimal(a) == Decimal(b)
        if not ok:
            diffs.append((key, a, b))
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    binary = os.environ.get("GRIDBOT_BIN", DEFAULT_BIN)
    start = time.time()
    with tempfile.TemporaryDirectory(prefix="mrref-") as tmp:
        sets = datasets(args.data, tmp, args.seed)
        rng = random.Random(args.seed)
        cases = [gen_config(rng, sets) for _ in range(args.count)]

        def job(case):
            text = json.dumps(case["config"])
            rust = run_one([binary, "backtest", "--strategy", "mean_reversion", "--candles", case["candles"],
                            "--config", text, "--json"])
            ref = run_one([sys.executable, REFERENCE, "--candles", case["candles"], "--config", text])
            return case, rust, ref

        passed = failed = rejected = trips = stops = skipped = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
            for n, (case, rust, ref) in enumerate(ex.map(job, cases)):
                (rj, rerr, _), (fj, ferr, fdt) = rust, ref
                shown = "%s --config '%s'  [rows=%d %s]" % (case["candles"].replace(tmp, "$TMP"),
                                                          json.dumps(case["config"]), case["rows"], case["kind"])
                if rj is None or fj is None:
                    if rj is None and fj is None:
                        passed += 1
                        rejected += 1
                        if args.verbose:
                            print("ok (both refuse) #%d: %s | rust %s | ref %s" % (n, shown, rerr, ferr))
                    else:
                        failed += 1
                        print("MISMATCH #%d refusal: %s\n    rust: %s\n    ref:  %s"
                              % (n, shown, rerr if rj is None else "ran", ferr if fj is None else "ran"))
                    continue
                diffs = compare(rj, fj)
                if diffs:
                    failed += 1
                    print("MISMATCH #%d: %s" % (n, shown))
                    for key, a, b in diffs:
                        print("    %s: rust=%s ref=%s" % (key, json.dumps(a), json.dumps(b)))
                else:
                    passed += 1
                    trips += fj["round_trips"]
                    stops += rj.get("stop_losses", 0)
                    skipped += rj.get("skipped_entries", 0)
                    if args.verbose:
                        print("ok #%d (%.2fs, filled=%d trips=%d stops=%d skipped=%d): %s"
                              % (n, fdt, fj["orders_filled"], fj["round_trips"], rj.get("stop_losses", 0),
                                 rj.get("skipped_entries", 0), shown))
    print("(%d configs, %d refused by both; %d round trips compared, %d of them stop losses; %d entries skipped; %.1fs)"
          % (args.count, rejected, trips, stops, skipped, time.time() - start), file=sys.stderr)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
