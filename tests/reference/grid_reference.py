#!/usr/bin/env python3
"""Independent reference implementation of spec/grid.md (grid-trading backtest).

Written from the specification only, to cross-check `gridbot backtest --json`.
Standard library only. Money is exact decimal arithmetic (prec=60); only the
power in geometric spacing uses binary floats, exactly as the spec writes it.

Usage:
  python3 grid_reference.py --candles FILE --lower L --upper U --levels N
      [--spacing arithmetic|geometric] --capital C [--fee-rate 0.001]
      [--stop-loss-pct S] [--take-profit-pct T] [--tick-size 0.01]
      [--step-size 0.00001] [--min-notional 5] [--fee-asset quote|base]
"""
import argparse
import csv
import decimal
import json
import sys
from decimal import Decimal, ROUND_HALF_UP, ROUND_FLOOR

CTX = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_EVEN,
                      Emin=-999999, Emax=999999)
decimal.setcontext(CTX)


class Rejected(Exception):
    pass


def dstr(d):
    """Decimal -> plain string without exponent, trailing zeros removed."""
    if d == 0:
        return "0"
    s = format(d.normalize(), "f")
    return s


def round_to_tick(p, tick):
    # nearest multiple of tick, ties away from zero (ROUND_HALF_UP on the quotient)
    return (p / tick).quantize(Decimal(1), rounding=ROUND_HALF_UP) * tick


def floor_to_step(x, step):
    return (x / step).quantize(Decimal(1), rounding=ROUND_FLOOR) * step


def compute_levels(L, U, N, spacing, tick):
    raw = []
    if spacing == "arithmetic":
        for i in range(N):
            # exact: numerator first, so a terminating value is never perturbed
            raw.append(L + (i * (U - L)) / (N - 1))
    elif spacing == "geometric":
        l, u = float(L), float(U)
        for i in range(N):
            if i == 0:
                raw.append(L)
            elif i == N - 1:
                raw.append(U)
            else:
                x = l * (u / l) ** (i / (N - 1))
                raw.append(Decimal(repr(x)))
    else:
        raise Rejected("unknown spacing %r" % spacing)
    levels = [round_to_tick(p, tick) for p in raw]
    for a, b in zip(levels, levels[1:]):
        if not a < b:
            raise Rejected("grid too dense for tick size")
    return levels


def read_candles(path):
    candles = []
    with open(path, newline="") as fh:
        for row in csv.reader(fh):
            if not row or not row[0].strip():
                continue
            try:
                o, h, lo, c = (Decimal(row[1].strip()), Decimal(row[2].strip()),
                               Decimal(row[3].strip()), Decimal(row[4].strip()))
            except (decimal.InvalidOperation, IndexError):
                if not candles:  # header line
                    continue
                raise
            candles.append((o, h, lo, c))
    return candles


class Lot:
    """qty: the base the lot sells (q with fees in quote, s with fees in base); cost: the quote its buy cost,
    entry fee included when fees are paid in quote."""
    __slots__ = ("qty", "cost")

    def __init__(self, qty, cost):
        self.qty, self.cost = qty, cost


class Order:
    __slots__ = ("side", "level", "lot")

    def __init__(self, side, level, lot=None):
        self.side, self.level, self.lot = side, level, lot


class Bot:
    def __init__(self, levels, q, f, C, P, k, S, T, fee_asset="quote", step=None):
        self.levels, self.q, self.f, self.C = levels, q, f, C
        self.S, self.T = S, T
        self.fee_asset, self.step = fee_asset, step
        self.carry = Decimal(0)  # base held outside the lots (fee_asset = base)
        self.quote = C
        self.lots = []
        self.orders = []          # explicit list of resting orders
        self.orders_filled = 0
        self.round_trips = 0
        self.wins = 0
        self.realized = Decimal(0)
        self.fees = Decimal(0)
        self.stopped = None
        self.mark = P
        N = len(levels)
        m = N - 1 - k
        if m > 0:
            base = q * m
            fee = base * P * f
            self.fees += fee
            if fee_asset == "base":
                self.quote -= base * P
            else:
                self.quote -= base * P + fee
            for _ in range(m):
                self.lots.append(self._new_lot(P))
        for i in range(k):
            self.orders.append(Order("buy", i))
        lot_iter = iter(list(self.lots))
        for i in range(k + 1, N):
            self.orders.append(Order("sell", i, next(lot_iter)))
        self._refresh()

    def _new_lot(self, price):
        """The lot a buy of q at price makes (its fee already counted by the caller)."""
        if self.fee_asset == "base":
            r = self.q * (1 - self.f)
            s = floor_to_step(r + self.carry, self.step)
            self.carry = r + self.carry - s
            return Lot(s, self.q * price)
        return Lot(self.q, self.q * price * (1 + self.f))

    def _refresh(self):
        buys = [self.levels[o.level] for o in self.orders if o.side == "buy"]
        sells = [self.levels[o.level] for o in self.orders if o.side == "sell"]
        self.hi_buy = max(buys) if buys else None
        self.lo_sell = min(sells) if sells else None
        # spec: exactly one level is empty at all times while the bot runs
        assert len(self.orders) == len(self.levels) - 1
        assert len({o.level for o in self.orders}) == len(self.orders)

    def base_held(self):
        return sum((lot.qty for lot in self.lots), Decimal(0)) + self.carry

    def equity(self, mark):
        return self.quote + self.base_held() * mark

    def _close_lot(self, lot, price):
        fee = lot.qty * price * self.f
        self.quote += lot.qty * price - fee
        self.fees += fee
        profit = lot.qty * price - fee - lot.cost
        self.realized += profit
        self.round_trips += 1
        if profit > 0:
            self.wins += 1
        self.lots.remove(lot)

    def _fill_buys(self, threshold):
        if self.hi_buy is None or self.hi_buy < threshold:
            return
        hit = [o for o in self.orders if o.side == "buy" and self.levels[o.level] >= threshold]
        hit.sort(key=lambda o: self.levels[o.level], reverse=True)  # highest first
        for o in hit:
            i = o.level
            price = self.levels[i]
            self.orders.remove(o)
            fee = self.q * price * self.f
            self.quote -= self.q * price + (0 if self.fee_asset == "base" else fee)
            self.fees += fee
            lot = self._new_lot(price)
            self.lots.append(lot)
            self.orders_filled += 1
            assert all(x.level != i + 1 for x in self.orders), "counter-order on non-empty level"
            self.orders.append(Order("sell", i + 1, lot))
        self._refresh()

    def _fill_sells(self, threshold):
        if self.lo_sell is None or self.lo_sell > threshold:
            return
        hit = [o for o in self.orders if o.side == "sell" and self.levels[o.level] <= threshold]
        hit.sort(key=lambda o: self.levels[o.level])  # lowest first
        for o in hit:
            j = o.level
            price = self.levels[j]
            self.orders.remove(o)
            self._close_lot(o.lot, price)
            self.orders_filled += 1
            assert all(x.level != j - 1 for x in self.orders), "counter-order on non-empty level"
            self.orders.append(Order("buy", j - 1))
        self._refresh()

    def _stop(self, price, why):
        self.orders = []
        for lot in list(self.lots):
            self._close_lot(lot, price)
        self.stopped = why
        self.mark = price

    def segment(self, a, b):
        """Process the path segment a -> b. Returns True when the bot stopped."""
        if b < a:
            if self.S is not None and b <= self.S:
                self._fill_buys(self.S)
                self._stop(self.S, "stop_loss")
                return True
            self._fill_buys(b)
        elif b > a:
            if self.T is not None and b >= self.T:
                self._fill_sells(self.T)
                self._stop(self.T, "take_profit")
                return True
            self._fill_sells(b)
        return False


def run(args):
    L, U = Decimal(args.lower), Decimal(args.upper)
    N = int(args.levels)
    C = Decimal(args.capital)
    f = Decimal(args.fee_rate)
    tick, step, min_notional = Decimal(args.tick_size), Decimal(args.step_size), Decimal(args.min_notional)
    if not (L > 0 and L < U):
        raise Rejected("need 0 < lower < upper")
    if not (2 <= N <= 200):
        raise Rejected("levels must be 2..200")
    levels = compute_levels(L, U, N, args.spacing, tick)

    candles = read_candles(args.candles)
    if not candles:
        raise Rejected("no candles")
    P = candles[0][0]
    if not (levels[0] < P < levels[-1]):
        raise Rejected("price outside grid")
    # nearest level, ties -> lower index
    k = min(range(N), key=lambda i: (abs(levels[i] - P), i))
    base_fees = args.fee_asset == "base"
    denom = sum((levels[i] for i in range(k)), Decimal(0)) + (N - 1 - k) * P * (1 if base_fees else 1 + f)
    q = floor_to_step(C / denom, step)
    if q == 0 or q * levels[0] < min_notional:
        raise Rejected("capital too small for N levels")
    if base_fees and floor_to_step(q * (1 - f), step) * levels[0] < min_notional:
        raise Rejected("capital too small for N levels")

    S = L * (1 - Decimal(args.stop_loss_pct) / 100) if args.stop_loss_pct is not None else None
    T = U * (1 + Decimal(args.take_profit_pct) / 100) if args.take_profit_pct is not None else None

    bot = Bot(levels, q, f, C, P, k, S, T, args.fee_asset, step)
    samples = [C]
    prev_close = None
    for idx, (o, h, lo, c) in enumerate(candles):
        pts = []
        if idx > 0:
            pts.append(prev_close)
        pts.append(o)
        if c >= o:
            pts += [lo, h, c]
        else:
            pts += [h, lo, c]
        stopped = False
        for a, b in zip(pts, pts[1:]):
            if bot.segment(a, b):
                stopped = True
                break
        if stopped:
            samples.append(bot.equity(bot.mark))
            break
        bot.mark = c
        samples.append(bot.equity(c))
        prev_close = c

    final_equity = bot.equity(bot.mark)
    peak = None
    mdd = Decimal(0)
    for e in samples:
        if peak is None or e > peak:
            peak = e
        if peak > 0:
            dd = (peak - e) / peak
            if dd > mdd:
                mdd = dd
    win_rate = None
    if bot.round_trips:
        win_rate = dstr(Decimal(bot.wins) / Decimal(bot.round_trips))
    return {
        "levels": [dstr(p) for p in levels],
        "qty_per_level": dstr(q),
        "orders_filled": bot.orders_filled,
        "round_trips": bot.round_trips,
        "realized_pnl": dstr(bot.realized),
        "fees_paid": dstr(bot.fees),
        "final_equity": dstr(final_equity),
        "unrealized_pnl": dstr(final_equity - C - bot.realized),
        "max_drawdown": dstr(mdd),
        "win_rate": win_rate,
        "stopped": bot.stopped,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--candles", required=True)
    ap.add_argument("--lower", required=True)
    ap.add_argument("--upper", required=True)
    ap.add_argument("--levels", required=True)
    ap.add_argument("--spacing", default="arithmetic", choices=["arithmetic", "geometric"])
    ap.add_argument("--capital", required=True)
    ap.add_argument("--fee-rate", default="0.001")
    ap.add_argument("--stop-loss-pct", default=None)
    ap.add_argument("--take-profit-pct", default=None)
    ap.add_argument("--tick-size", default="0.01")
    ap.add_argument("--step-size", default="0.00001")
    ap.add_argument("--min-notional", default="5")
    ap.add_argument("--fee-asset", default="quote", choices=["quote", "base"])
    ap.add_argument("--json", action="store_true", help="accepted for CLI parity; output is always JSON")
    args = ap.parse_args(argv)
    try:
        out = run(args)
    except (Rejected, decimal.InvalidOperation, ValueError) as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
