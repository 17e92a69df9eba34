"""Checks the simulator against ccxt, an independent Binance client: markets, ticker, balance, a limit order
placed, fetched and cancelled, one that fills when the price is moved, and its trades.

Usage: ccxt_check.py http://127.0.0.1:PORT   (exits non-zero on any failure)
"""

import json
import sys
import urllib.request

import ccxt


def control(base, path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.load(resp)


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok:", what)


def main(base):
    ex = ccxt.binance({
        "apiKey": "demo-key",
        "secret": "demo-secret",
        "enableRateLimit": False,
        "options": {
            "adjustForTimeDifference": False,
            "fetchCurrencies": False,  # sapi capital/config/getall: not served
            "fetchMarkets": {"types": ["spot"]},  # only /api/v3/exchangeInfo
            "fetchMargins": False,
            "defaultType": "spot",
        },
    })
    for name in list(ex.urls["api"].keys()):
        ex.urls["api"][name] = base + "/api/v3"

    markets = ex.load_markets()
    btc = markets["BTC/USDT"]
    check("ETH/USDT" in markets, "load_markets lists BTC/USDT and ETH/USDT")
    check(btc["precision"]["price"] == 0.01 and btc["precision"]["amount"] == 0.00001, "BTC/USDT tick and step")
    check(btc["limits"]["cost"]["min"] == 5, "BTC/USDT minimum notional")

    control(base, "/sim/price", {"symbol": "BTCUSDT", "price": "100000.00"})
    ticker = ex.fetch_ticker("BTC/USDT")
    check(ticker["last"] == 100000.0, f"fetch_ticker last = {ticker['last']}")
    book = ex.fetch_order_book("BTC/USDT", 5)
    check(book["bids"][0][0] == 100000.0 and book["asks"][0][0] == 100000.01, "fetch_order_book around the last price")
    ohlcv = ex.fetch_ohlcv("BTC/USDT", "1m", limit=5)
    check(len(ohlcv) == 5 and ohlcv[-1][4] == 100000.0, "fetch_ohlcv ends at the last price")

    balance = ex.fetch_balance()
    check(balance["USDT"]["free"] == 10000 and balance["BTC"]["free"] == 1, "fetch_balance: 10,000 USDT and 1 BTC")

    order = ex.create_order("BTC/USDT", "limit", "buy", 0.001, 95000)
    check(order["status"] == "open", f"create_order limit buy is open ({order['status']})")
    fetched = ex.fetch_order(order["id"], "BTC/USDT")
    check(fetched["price"] == 95000 and fetched["amount"] == 0.001 and fetched["status"] == "open", "fetch_order")
    check(len(ex.fetch_open_orders("BTC/USDT")) == 1, "fetch_open_orders")
    check(ex.fetch_balance()["USDT"]["used"] == 95, "95 USDT locked")
    canceled = ex.cancel_order(order["id"], "BTC/USDT")
    check(canceled["status"] == "canceled", "cancel_order")
    check(ex.fetch_order(order["id"], "BTC/USDT")["status"] == "canceled", "fetch_order after cancel")

    filling = ex.create_order("BTC/USDT", "limit", "buy", 0.001, 99000)
    control(base, "/sim/price", {"symbol": "BTCUSDT", "price": "98900.00"})
    filled = ex.fetch_order(filling["id"], "BTC/USDT")
    check(filled["status"] == "closed" and filled["filled"] == 0.001, f"the buy filled on a touch ({filled['status']})")
    trades = ex.fetch_my_trades("BTC/USDT")
    check(len(trades) == 1 and trades[0]["price"] == 99000 and trades[0]["order"] == filling["id"], "fetch_my_trades")
    check(trades[0]["fee"]["currency"] == "BTC" and abs(trades[0]["fee"]["cost"] - 0.000001) < 1e-12, "fee in BTC")

    sold = ex.create_order("BTC/USDT", "market", "sell", 0.0005)
    check(sold["status"] == "closed" and sold["average"] == 98900, "market sell fills at the last price")
    check(len(ex.fetch_orders("BTC/USDT")) == 3, "fetch_orders lists all three orders")

    try:
        ex.create_order("BTC/USDT", "limit", "buy", 1, 99000)
        check(False, "an order beyond the balance is refused")
    except ccxt.InsufficientFunds:
        check(True, "an order beyond the balance is refused (InsufficientFunds)")
    print("ccxt check passed")


if __name__ == "__main__":
    try:
        main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:9100")
    except Exception as e:  # noqa: BLE001 - any failure fails the check
        print(f"ccxt check FAILED: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
