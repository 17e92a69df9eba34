"""Schemathesis hooks (SCHEMATHESIS_HOOKS=fuzz_hooks, loaded by scripts/fuzz-api.sh): bot configs that reach the
engine.

Bodies generated from the schema alone are almost never a bot the API accepts (a listed pair, bounds around the
market's price), so the stateful phase would never create one to start, read and edit. These hooks draw, beside the
schema's own bodies, configs around the market's price (FUZZ_PRICES, a JSON object of pair to price, set by
scripts/fuzz-api-run.sh) mixed with extreme magnitudes, odd level counts and stops: what once crashed the server.
"""

import json
import os
from decimal import Decimal

import schemathesis
from hypothesis import strategies as st

PRICES = {pair: Decimal(p) for pair, p in json.loads(os.environ.get("FUZZ_PRICES", "{}")).items()}
PAIRS = sorted(PRICES) or ["BTC/USDT"]
EXTREMES = ["0", "0.00000001", "1", "1e28", "79228162514264337593543950335", "-5", "1000000000", "999999999999"]


def around(pair: str) -> st.SearchStrategy:
    """`(lower, upper)` around the pair's price, sometimes far off or extreme."""
    price = PRICES.get(pair, Decimal(100))
    width = st.sampled_from(["0.0001", "0.01", "0.05", "0.3", "0.99", "5"]).map(Decimal)
    near = st.tuples(width, width).map(
        lambda w: (str((price * (1 - min(w[0], Decimal("0.99")))).quantize(Decimal("0.01"))),
                   str((price * (1 + w[1])).quantize(Decimal("0.01")))))
    wild = st.tuples(st.sampled_from(EXTREMES), st.sampled_from(EXTREMES))
    return st.one_of(near, near, near, wild)


def pct() -> st.SearchStrategy:
    return st.one_of(st.none(), st.sampled_from(["0", "0.5", "2", "50", "99.99", "100", "1e28"]))


def config(pair: str) -> st.SearchStrategy:
    return st.tuples(
        around(pair),
        st.one_of(st.sampled_from(["1000", "10000", "50"]), st.sampled_from(EXTREMES)),
        st.one_of(st.integers(2, 200), st.sampled_from([0, 1, 201, 2**40])),
        st.sampled_from(["arithmetic", "geometric"]),
        pct(),
        pct(),
        st.one_of(st.none(), st.sampled_from(["0", "10", "500", "1e28"])),
        st.sampled_from(["base", "quote"]),
        st.sampled_from(["hold", "trail", "stop"]),
    ).map(lambda t: {
        "lower_bound": t[0][0], "upper_bound": t[0][1], "capital": t[1], "grid_levels": t[2], "spacing": t[3],
        "stop_loss_pct": t[4], "take_profit_pct": t[5], "max_daily_loss": t[6], "fee_asset": t[7],
        "out_of_range": t[8],
    })


def bot() -> st.SearchStrategy:
    pair = st.one_of(st.sampled_from(PAIRS), st.sampled_from(PAIRS), st.just("FOO/BAR"))
    return pair.flatmap(lambda p: config(p).map(lambda c: {"strategy": "grid", "pair": p, "mode": "paper", "config": c}))


@schemathesis.hook("flatmap_body").apply_to(method="POST", path="/api/bots")
def plausible_bot(context, body):
    return st.one_of(st.just(body), bot(), bot(), bot())


@schemathesis.hook("flatmap_body").apply_to(method="PUT", path="/api/bots/{id}")
def plausible_change(context, body):
    return st.one_of(st.just(body), bot().map(lambda b: {"config": b["config"]}))


@schemathesis.hook("flatmap_body").apply_to(method="POST", path="/api/bots/test-config")
def plausible_test(context, body):
    return st.one_of(st.just(body), bot().map(lambda b: {"pair": b["pair"], "config": b["config"]}))
