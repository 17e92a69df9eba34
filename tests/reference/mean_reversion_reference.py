#!/usr/bin/env python3
"""Independent reference implementation of spec/mean-reversion.md (mean-reversion backtest).

Written from the specification only, to cross-check
`gridbot backtest --strategy mean_reversion --config JSON --json`. Standard library only: every amount is an
exact `decimal.Decimal` (a 100-digit context, far more than any figure here needs, with the Inexact trap on, so
a rounded amount stops the run instead of passing unnoticed); the drawdown and the win rate are exact fractions,
rounded once at the end to 28 places, half to even.

Usage:
  python3 mean_reversion_reference.py --candles FILE --config JSON
Prints one JSON object with the spec's result names; exits 1 with a one-line error when the config is refused.
"""
import argparse
import collections
import csv
import decimal
import json
import sys
from decimal import Decimal
from fractions import Fraction

CTX = decimal.Context(prec=100, rounding=decimal.ROUND_HALF_EVEN, Emin=-999999, Emax=999999,
                      traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])
decimal.setcontext(CTX)

FRACTION_PLACES = 28
DEFAULTS = {"window": 20, "band": "2", "stop_loss_pct": None, "fee_rate": "0.001", "fee_asset": "quote",
            "tick_size": "0.01", "step_size": "0.00001", "min_notional": "5"}


class Refused(Exception):
    pass


def exact():
    """Arithmetic that must not round: the Inexact trap on."""
    ctx = CTX.copy()
    ctx.traps[decimal.Inexact] = True
    return decimal.localcontext(ctx)


def dec(v, name):
    if isinstance(v, bool) or v is None:
        raise Refused("%s: not a decimal: %r" % (name, v))
    try:
        return Decimal(str(v))
    except decimal.InvalidOperation:
        raise Refused("%s: not a decimal: %r" % (name, v))


def read_config(text):
    raw = json.loads(text)
    if not isinstance(raw, dict):
        raise Refused("config: not an object")
    unknown = set(raw) - set(DEFAULTS) - {"capital"}
    if unknown:
        raise Refused("unknown field %s" % sorted(unknown)[0])
    if "capital" not in raw:
        raise Refused("capital: required")
    cfg = dict(DEFAULTS)
    cfg.update(raw)
    c = {"capital": dec(cfg["capital"], "capital"), "band": dec(cfg["band"], "band"),
         "fee_rate": dec(cfg["fee_rate"], "fee_rate"), "tick_size": dec(cfg["tick_size"], "tick_size"),
         "step_size": dec(cfg["step_size"], "step_size"), "min_notional": dec(cfg["min_notional"], "min_notional"),
         "stop_loss_pct": None if cfg["stop_loss_pct"] is None else dec(cfg["stop_loss_pct"], "stop_loss_pct"),
         "fee_asset": cfg["fee_asset"], "window": cfg["window"]}
    # The spec's ranges.
    if not isinstance(c["window"], int) or isinstance(c["window"], bool) or not 2 <= c["window"] <= 500:
        raise Refused("window: must be 2..500")
    if not Decimal(0) < c["band"] <= 10:
        raise Refused("band: must be in (0, 10]")
    if c["stop_loss_pct"] is not None and not Decimal(0) < c["stop_loss_pct"] < 100:
        raise Refused("stop_loss_pct: must be in (0, 100)")
    if c["capital"] <= 0:
        raise Refused("capital: must be > 0")
    if c["fee_asset"] not in ("quote", "base"):
        raise Refused("fee_asset: quote or base")
    if not Decimal(0) <= c["fee_rate"] < 1:
        raise Refused("fee_rate: must be in [0, 1)")
    if c["tick_size"] <= 0 or c["step_size"] <= 0 or c["min_notional"] < 0:
        raise Refused("filters: tick_size and step_size > 0, min_notional >= 0")
    return c


def read_candles(path):
    out = []
    with open(path, newline="") as fh:
        for row in csv.reader(fh):
            if not row or not row[0].strip():
                continue
            if not row[0].strip().lstrip("-").isdigit():
                continue  # header
            o, h, l, c = (Decimal(x.strip()) for x in row[1:5])
            out.append((o, h, l, c))
    if not out:
        raise Refused("no candles")
    return out


def floor_to_step(num, den, step):
    """floor_to_step(num / den): the largest multiple of step not above the exact quotient (`//` is exact)."""
    return (num // (den * step)) * step


def round_fraction(fr):
    """An exact fraction in [0, 1] to 28 places, half to even."""
    scaled = fr * 10 ** FRACTION_PLACES
    q, r = divmod(scaled.numerator, scaled.denominator)
    twice = 2 * r
    if twice > scaled.denominator or (twice == scaled.denominator and q % 2 == 1):
        q += 1
    return Decimal(q).scaleb(-FRACTION_PLACES)


def out(d):
    d = d.normalize()
    return "0" if d == 0 else format(d, "f")


def backtest(cfg, candles):
    n, k, f = cfg["window"], cfg["band"], cfg["fee_rate"]
    step, min_notional, s_pct = cfg["step_size"], cfg["min_notional"], cfg["stop_loss_pct"]
    base_fees = cfg["fee_asset"] == "base"
    capital = cfg["capital"]

    quote = capital
    carry = Decimal(0)  # base held outside the position (fees in base only)
    pos = None  # while long: {"q", "sell", "cost", "stop"}
    realized = fees = Decimal(0)
    filled = trips = wins = 0

    closes = collections.deque()
    s1 = s2 = Decimal(0)

    peak = capital
    worst = Fraction(0)

    def equity(mark):
        held = carry + (pos["sell"] if pos else 0)
        return quote + held * mark

    def sell(price):
        nonlocal quote, realized, fees, filled, trips, wins, pos
        s = pos["sell"]
        got = s * price * (1 - f)
        fee = s * price * f
        profit = got - pos["cost"]
        quote += got
        fees += fee
        realized += profit
        filled += 1
        trips += 1
        wins += profit > 0
        pos = None

    def buy(c):
        nonlocal quote, fees, filled, pos, carry
        q = floor_to_step(quote, c if base_fees else c * (1 + f), step)
        if q == 0 or q * c < min_notional:
            return  # the signal is skipped
        if base_fees:
            cost = q * c
            fee = q * f * c
            r = q * (1 - f)
            sold = floor_to_step(r + carry, 1, step)
            carry = r + carry - sold
        else:
            cost = q * c * (1 + f)
            fee = q * c * f
            sold = q
        quote -= cost
        fees += fee
        filled += 1
        stop = None if s_pct is None else c * (1 - s_pct / 100)
        pos = {"q": q, "sell": sold, "cost": cost, "stop": stop}

    prev = candles[0][0]
    with exact():
        for (o, h, l, c) in candles:
            # The stop, on the candle path: the join from the previous close, then o -> l -> h -> c (rising) or
            # o -> h -> l -> c (falling).
            path = [o, l, h, c] if c >= o else [o, h, l, c]
            a = prev
            for b in path:
                if pos is not None and pos["stop"] is not None and b < a and b <= pos["stop"]:
                    sell(pos["stop"])
                a = b
            prev = c
            # The close joins the window.
            closes.append(c)
            s1 += c
            s2 += c * c
            if len(closes) > n:
                old = closes.popleft()
                s1 -= old
                s2 -= old * old
            if len(closes) == n:
                if pos is not None:
                    if n * c >= s1:
                        sell(c)
                else:
                    d = s1 - n * c
                    if d > 0 and d * d > k * k * (n * s2 - s1 * s1):
                        buy(c)
            # Equity after the candle, marked at its close.
            eq = equity(c)
            if eq > peak:
                peak = eq
            elif peak > 0:
                fall = Fraction(peak - eq) / Fraction(peak)
                if fall > worst:
                    worst = fall
        final_equity = equity(candles[-1][3])
        unrealized = final_equity - capital - realized
    return {
        "orders_filled": filled,
        "round_trips": trips,
        "realized_pnl": out(realized),
        "fees_paid": out(fees),
        "final_equity": out(final_equity),
        "unrealized_pnl": out(unrealized),
        "max_drawdown": out(round_fraction(worst)),
        "win_rate": None if trips == 0 else out(round_fraction(Fraction(wins, trips))),
        "stopped": None,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--candles", required=True)
    ap.add_argument("--config", required=True)
    a = ap.parse_args()
    try:
        result = backtest(read_config(a.config), read_candles(a.candles))
    except Refused as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
