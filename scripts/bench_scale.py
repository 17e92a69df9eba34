#!/usr/bin/env python3
"""Scale benchmark (issue #18), driven by scripts/bench-scale.sh: N paper grid bots against the simulator's random
walk, embedded (`gridbot serve`, SQLite) and distributed (`gridbot api` + `scheduler` + two `worker`s or --workers,
PostgreSQL and Redis). Each size runs on a fresh stack and a fresh simulator with a fixed seed; every process it
starts is stopped and the PostgreSQL database it created is dropped, whatever happens. Progress goes to stderr, the
tables to stdout, the figures as JSON to --out. Standard library only; PostgreSQL is read through one long-lived
`psql`.

A run: register users (--bots-per-user bots each, every user from its own loopback address so the per-address
register/login limit does not throttle), create N bots while the simulator is paused, start them all, wait until
every grid rests (grids placed in), resume the market for --minutes (CPU, RSS, fills booked, fill delay, scheduler
lag), time /api/summary, pause the market, let the backlog drain (unbooked at end), measure idle CPU, then time
/api/summary again at rest.
"""

import argparse
import bisect
import concurrent.futures as cf
import http.client
import json
import math
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

PASSWORD = "correct horse battery staple 42"
# What `gridbot serve` logs when RUST_LOG is unset (cli/src/commands/roles.rs): the product's default.
PRODUCT_LOG = "info,sqlx=warn,sea_orm=warn,apalis=warn"
SYMBOL = "BTCUSDT"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"[bench-scale {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def p99(values):
    if not values:
        return None
    v = sorted(values)
    return v[max(0, math.ceil(0.99 * len(v)) - 1)]


# ---------------------------------------------------------------- HTTP


def request(port, method, path, body=None, token=None, source=None, timeout=60):
    """One request on a fresh connection: (status, decoded JSON or None, Retry-After)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                      source_address=(source, 0) if source else None)
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, None if body is None else json.dumps(body), headers)
        r = conn.getresponse()
        data = r.read()
        try:
            doc = json.loads(data) if data else None
        except ValueError:
            doc = None
        return r.status, doc, r.getheader("retry-after")
    finally:
        conn.close()


def call(port, method, path, body=None, token=None, source=None, tries=30, accept=()):
    """A request that must succeed (or answer a status in `accept`): 429s wait their Retry-After, connection errors
    and 5xx are retried a few times."""
    last = None
    for _ in range(tries):
        try:
            status, doc, retry = request(port, method, path, body, token, source)
        except OSError as e:
            last = str(e)
            time.sleep(1)
            continue
        if status < 300 or status in accept:
            return doc
        last = f"{status} {doc}"
        if status == 429:
            time.sleep(float(retry or 1))
        elif status >= 500:
            time.sleep(1)
        else:
            break
    raise RuntimeError(f"{method} {path}: {last}")


# ---------------------------------------------------------------- databases


class Sqlite:
    """The embedded database file (WAL: these reads do not block the product's writes)."""

    def __init__(self, path):
        self.conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self.lock = threading.Lock()

    @staticmethod
    def epoch(col):  # a stored RFC 3339 text timestamp as UNIX seconds
        return f"((julianday({col}) - 2440587.5) * 86400.0)"

    def rows(self, sql):
        with self.lock:
            return [tuple(r) for r in self.conn.execute(sql).fetchall()]

    def close(self):
        self.conn.close()


class Psql:
    """One `psql` session fed queries on stdin (a process per poll would cost more CPU than the polls)."""

    def __init__(self, db, errlog):
        self.p = subprocess.Popen(
            ["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-h", "127.0.0.1", "-U", "postgres", "-d", db],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errlog, text=True, bufsize=1)
        self.lock = threading.Lock()

    @staticmethod
    def epoch(col):
        return f"extract(epoch from {col})"

    def rows(self, sql):
        with self.lock:
            self.p.stdin.write(sql.strip().rstrip(";") + ";\n\\echo __END__\n")
            self.p.stdin.flush()
            out = []
            for line in self.p.stdout:
                line = line.rstrip("\n")
                if line == "__END__":
                    return [tuple(line.split("\t")) for line in out if line]
                out.append(line)
            raise RuntimeError("psql exited")

    def close(self):
        self.p.stdin.close()
        self.p.wait(10)


def redis(*argv):
    return subprocess.run(["redis-cli", "-h", "127.0.0.1", *argv], capture_output=True, text=True, check=False).stdout


# ---------------------------------------------------------------- processes


def proc_ticks(pid):
    """utime + stime of a process, in clock ticks (None once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


def proc_rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Cpu:
    """CPU of a set of processes between start() and stop(): % of one core, per process and summed."""

    def __init__(self, procs):
        self.procs = procs

    def start(self):
        self.t0 = time.monotonic()
        self.ticks0 = {n: proc_ticks(p.pid) for n, p in self.procs.items()}

    def stop(self):
        wall = time.monotonic() - self.t0
        per = {}
        for n, p in self.procs.items():
            t1, t0 = proc_ticks(p.pid), self.ticks0.get(n)
            per[n] = None if t1 is None or t0 is None else round(100.0 * (t1 - t0) / CLK_TCK / wall, 1)
        return round(sum(v or 0 for v in per.values()), 1), per


class RssWatch(threading.Thread):
    """Samples every process's RSS each second; `peak()` is each one's maximum since `reset()`."""

    def __init__(self, procs):
        super().__init__(daemon=True)
        self.procs, self.max, self.done = procs, {}, threading.Event()

    def reset(self):
        self.max = {n: proc_rss_kb(p.pid) for n, p in self.procs.items()}

    def run(self):
        while not self.done.wait(1.0):
            for n, p in list(self.procs.items()):
                self.max[n] = max(self.max.get(n, 0), proc_rss_kb(p.pid))

    def peak(self):
        return {n: round(kb / 1024, 1) for n, kb in self.max.items()}


class TradeTape(threading.Thread):
    """The simulator's trade stream (`/ws/btcusdt@trade`), with the moment each trade arrived here: the exchange's
    "when it traded" on this machine's clock (the simulator's own trade times are on its faster market clock)."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.arrived = {}  # trade id -> UNIX seconds
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        key = "YmVuY2gtc2NhbGUtdGFwZQ=="
        self.s.sendall((f"GET /ws/{SYMBOL.lower()}@trade HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.s.recv(1)
            if not chunk:
                raise RuntimeError("simulator closed the trade stream")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"trade stream refused: {head[:80]!r}")
        self.s.settimeout(None)

    def _exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def run(self):
        try:
            while True:
                b0, b1 = self._exact(2)
                n = b1 & 0x7F
                if n == 126:
                    n = int.from_bytes(self._exact(2), "big")
                elif n == 127:
                    n = int.from_bytes(self._exact(8), "big")
                payload = self._exact(n)  # server frames are unmasked
                op = b0 & 0x0F
                if op == 1:
                    now = time.time()
                    msg = json.loads(payload)
                    if "t" in msg:
                        self.arrived[msg["t"]] = now
                elif op == 9:  # ping: a client's pong is masked (with a zero mask here)
                    self.s.sendall(bytes([0x8A, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)
                elif op == 8:
                    return
        except (OSError, EOFError, ValueError):
            return

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


class Poller(threading.Thread):
    """Polls the database every --poll seconds while prices move: when each fill row first appears, and the
    matcher's saved mark (`market_marks`: the trade it processed and when), turned into its lag behind the exchange
    with the moment the trade reached the benchmark's own subscriber."""

    def __init__(self, run, tape):
        super().__init__(daemon=True)
        self.run_, self.tape, self.halt = run, tape, threading.Event()
        # fill id -> (UNIX seconds the row was first seen, the row's `time`); None: booked before prices moved
        self.seen = {i: None for i, _ in run.new_fills(-1)}
        self.watermark = max(self.seen, default=0)
        self.lags = []  # (matcher's processing instant, seconds it was behind the exchange's trade)
        self.last_mark, self.mark_moved = None, time.time()
        self.swept = 0.0  # when ids below the watermark were last read again

    def run(self):
        while not self.halt.is_set():
            self.poll()
            self.halt.wait(self.run_.args.poll)

    def poll(self):
        t = time.time()  # rows visible now were written before this instant
        # Once a second, also below the watermark: PostgreSQL may commit ids out of order.
        sweep = 300 if t - self.swept >= 1 else 0
        if sweep:
            self.swept = t
        for i, ftime in self.run_.new_fills(self.watermark - sweep):
            if i not in self.seen:
                self.seen[i] = (t, ftime)
                self.watermark = max(self.watermark, i)
        m = self.run_.mark()
        if m != self.last_mark:
            self.mark_moved = t
            if m and m[0] in self.tape.arrived:
                self.lags.append((m[1], m[1] - self.tape.arrived[m[0]]))
        self.last_mark = m

    def caught_up(self, last_trade):
        """The matcher has processed the market's last trade: its mark names it, or has not moved for longer than
        the matcher saves it while it processes trades (mark.rs: on a fill, else every 5 s)."""
        at_last = self.last_mark is not None and self.last_mark[0] == last_trade
        return at_last or time.time() - self.mark_moved > 6

    def stop(self):
        self.halt.set()
        self.join()
        self.poll()

    def booked(self, until=None):
        return sum(1 for v in list(self.seen.values()) if v and (until is None or v[0] <= until))

    def delays(self, end, speed):
        """p99 of each window fill's delay: (first seen − its `time`) + the matcher's lag then (interpolated)."""
        lags, lag_t = self.lags, [t for t, _ in self.lags]

        def lag_at(t):
            if not lags:
                return 0.0
            j = bisect.bisect_left(lag_t, t)
            (ta, la), (tb, lb) = lags[max(0, j - 1)], lags[min(len(lags) - 1, j)]
            return max(0.0, la if tb == ta else la + (lb - la) * (t - ta) / (tb - ta))

        fills = [v for v in self.seen.values() if v and v[1] <= end]
        booking = [s - f for s, f in fills]
        total = [s - f + lag_at(f) for s, f in fills]
        behind = [lag for t, lag in lags if t <= end]
        def r3(x):
            return None if x is None else round(x, 3)

        return {
            "fill_delay_p99_s": r3(p99(total)),
            "fill_delay_max_s": r3(max(total, default=None)),
            "booking_p99_s": r3(p99(booking)),
            "behind_p99_s": r3(p99(behind)),
            "behind_max_s": r3(max(behind, default=None)),
            "behind_max_candles": r3(max(behind) * speed) if behind else None,
            "lag_samples": len(lags),
            "fills_measured": len(fills),
        }


# ---------------------------------------------------------------- one run


class Run:
    def __init__(self, args, mode, n, index):
        self.args, self.mode, self.n = args, mode, n
        self.work = tempfile.mkdtemp(prefix=f"gridbot-scale-{mode}-{n}-")
        self.procs = {}  # name -> Popen (the stack; the simulator is kept apart)
        self.sim = None
        self.db = None
        self.pg = f"gbscale_{os.getpid()}_{index}" if mode == "distributed" else None
        self.result = {"mode": mode, "bots": n, "work_dir": self.work}
        if mode == "distributed":
            self.result["workers"] = args.workers

    # -- processes

    def spawn(self, name, argv, env, cwd=None):
        out = open(os.path.join(self.work, f"{name}.log"), "w")
        # Same process group: a Ctrl-C reaches the stack too (and the driver still stops it and drops the database).
        return subprocess.Popen([self.args.bin, *argv], env=env, cwd=cwd or self.work, stdout=out,
                                stderr=subprocess.STDOUT)

    def env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BINANCE_", "GRIDBOT_")) and k not in (
            "DATABASE_URL", "REDIS_URL", "JWT_SECRET", "ENCRYPTION_KEY", "ANTHROPIC_API_KEY", "PAPER_FUNDING")}
        env.update({
            "BINANCE_REST_URL": f"http://127.0.0.1:{self.sim_port}",
            "BINANCE_WS_URL": f"ws://127.0.0.1:{self.sim_port}",
            "BINANCE_WS_API_URL": f"ws://127.0.0.1:{self.sim_port}/ws-api/v3",
            "JWT_SECRET": "bench-scale-secret-bench-scale-secret-0123",
            "ENCRYPTION_KEY": "YmVuY2gtc2NhbGUta2V5LW9mLTMyLWJ5dGVzLTAxMjM=",
            "RUST_LOG": self.args.rust_log,
            "NO_COLOR": "1",
        })
        if self.mode == "distributed":
            env.update({"DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{self.pg}",
                        "REDIS_URL": "redis://127.0.0.1:6379/", "GRIDBOT_NAMESPACE": self.pg})
        return env

    def start(self):
        a = self.args
        self.sim_port, self.api_port = free_port(), free_port()
        self.sim = self.spawn("sim", ["sim", "--port", str(self.sim_port), "--seed", str(a.seed), "--volatility",
                                      str(a.volatility), "--speed", str(a.speed), "--start-paused"], os.environ.copy())
        self.wait_http(self.sim_port, "/sim/state", self.sim, "simulator")
        env = self.env()
        bind = f"127.0.0.1:{self.api_port}"
        if self.mode == "embedded":
            jobs = ["--workers", str(a.jobs)] if a.jobs else []
            self.procs["serve"] = self.spawn("serve", ["serve", "--bind", bind, *jobs], env)
        else:
            subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {self.pg}",
                            "postgres"], check=True)
            with open(os.path.join(self.work, "migrate.log"), "w") as out:
                subprocess.run([a.bin, "migrate"], env=env, cwd=self.work, check=True, stdout=out, stderr=out)
            self.procs["api"] = self.spawn("api", ["api", "--bind", bind], env)
            self.procs["scheduler"] = self.spawn("scheduler", ["scheduler"], env)
            for w in "abcdefgh"[:a.workers]:
                jobs = ["--concurrency", str(a.jobs)] if a.jobs else []
                self.procs[f"worker-{w}"] = self.spawn(f"worker-{w}", ["worker", "--name", f"scale-{w}", *jobs], env)
        self.wait_http(self.api_port, "/healthz", None, "the API")
        if self.mode == "embedded":
            self.db = Sqlite(os.path.join(self.work, "data", "gridbot.db"))
        else:
            self.db = Psql(self.pg, open(os.path.join(self.work, "psql.err"), "w"))

    def wait_http(self, port, path, proc, what, secs=120):
        for _ in range(secs * 5):
            try:
                if request(port, "GET", path, timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            dead = [n for n, p in ([("sim", proc)] if proc else self.procs.items()) if p.poll() is not None]
            if dead:
                raise RuntimeError(f"{', '.join(dead)} exited while starting (logs in {self.work})")
            time.sleep(0.2)
        raise RuntimeError(f"{what} did not answer in {secs} s")

    def stop(self):
        # The stack first, then the simulator: a stack outliving its market only logs the disconnection.
        for group in (list(self.procs.values()), [self.sim] if self.sim else []):
            for p in group:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            for p in group:
                try:
                    p.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        if self.db:
            try:
                self.db.close()
            except Exception:  # noqa: BLE001 - best effort at teardown
                pass
        if self.pg:
            subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c",
                            f"DROP DATABASE IF EXISTS {self.pg} WITH (FORCE)", "postgres"], check=False)
            keys = redis("--scan", "--pattern", f"{self.pg}:*").split()
            for i in range(0, len(keys), 500):
                redis("del", *keys[i:i + 500])
            # apalis lists its queues in a key of its own, outside the namespace
            queues = redis("zrange", "core:apalis:queues:list", "0", "-1").split()
            mine = [q for q in queues if q.startswith(f"{self.pg}:")]
            if mine:
                redis("zrem", "core:apalis:queues:list", *mine)
        if getattr(self, "rss", None):
            self.rss.done.set()
        self.result["errors_logged"] = self.count_logged(" ERROR ")
        self.result["warnings_logged"] = self.count_logged(" WARN ")

    def count_logged(self, level):
        counts = {}
        for name in list(self.procs) + ["sim"]:
            try:
                with open(os.path.join(self.work, f"{name}.log"), errors="replace") as f:
                    counts[name] = sum(1 for line in f if level in line)
            except OSError:
                pass
        return counts

    def check_alive(self):
        dead = [n for n, p in [*self.procs.items(), ("sim", self.sim)] if p.poll() is not None]
        if dead:
            raise RuntimeError(f"{', '.join(dead)} exited (logs in {self.work})")

    # -- the simulator

    def sim_post(self, path):
        return call(self.sim_port, "POST", path, {})

    def sim_state(self):
        return call(self.sim_port, "GET", "/sim/state")

    # -- users and bots

    def setup_bots(self):
        a, n = self.args, self.n
        users = math.ceil(n / a.bots_per_user)
        log(f"{self.mode} N={n}: registering {users} user(s)")

        def register(u):
            email, source = f"scale{u}@gridbot.test", f"127.0.{1 + u // 250}.{2 + u % 250}"
            call(self.api_port, "POST", "/api/auth/register", {"email": email, "password": PASSWORD}, source=source)
            doc = call(self.api_port, "POST", "/api/auth/login", {"email": email, "password": PASSWORD}, source=source)
            return doc["access_token"]

        with cf.ThreadPoolExecutor(a.threads) as pool:
            self.tokens = list(pool.map(register, range(users)))
        price = float(self.sim_state()["last_prices"][SYMBOL])
        spacing = price * a.width_pct / 100 / (a.levels - 1)
        self.result["start_price"] = price

        def body(i):
            # Each bot's grid shifted by a different fraction of a spacing: fills spread over the path's moves.
            shift = ((i * 0.6180339887) % 1.0 - 0.5) * spacing
            lower = price * (1 - a.width_pct / 200) + shift
            return {"strategy": "grid", "pair": "BTC/USDT", "mode": "paper",
                    "config": {"capital": str(a.capital), "lower_bound": f"{lower:.2f}",
                               "upper_bound": f"{lower + spacing * (a.levels - 1):.2f}", "grid_levels": a.levels}}

        log(f"{self.mode} N={n}: creating {n} bots")
        with cf.ThreadPoolExecutor(a.threads) as pool:
            docs = list(pool.map(lambda i: call(self.api_port, "POST", "/api/bots", body(i),
                                                self.tokens[i // a.bots_per_user]), range(n)))
        self.bots = [(d["id"], self.tokens[i // a.bots_per_user]) for i, d in enumerate(docs)]

    def start_bots(self):
        """Starts every bot (a small thread pool); returns when the first request was sent."""
        t0 = time.time()
        pool = cf.ThreadPoolExecutor(self.args.threads)
        # Every bot is stopped: a 409 can only answer the retry of a start that went through but timed out.
        self.start_futures = [pool.submit(call, self.api_port, "POST", f"/api/bots/{b}/start", {}, tok, accept=(409,))
                              for b, tok in self.bots]
        pool.shutdown(wait=False)
        return t0

    # -- queries

    def bot_status(self):
        return {s: int(c) for s, c in self.db.rows("SELECT status, count(*) FROM bots GROUP BY status")}

    def placed(self, expect):
        rows = self.db.rows("SELECT bot_id, count(*) FROM orders WHERE status = 'open' AND level_index IS NOT NULL "
                            "GROUP BY bot_id")
        counts = [int(c) for _, c in rows]
        return sum(1 for c in counts if c >= expect), max(counts, default=0)

    def unbooked(self):
        return int(self.db.rows("SELECT count(*) FROM orders WHERE status = 'filled' AND id NOT IN "
                                "(SELECT order_id FROM fills)")[0][0])

    def mark(self):
        rows = self.db.rows(f"SELECT trade_id, {self.db.epoch('updated_at')} FROM market_marks "
                            f"WHERE symbol = '{SYMBOL}'")
        return (int(rows[0][0]), float(rows[0][1])) if rows else None

    def new_fills(self, after_id):
        return [(int(i), float(t)) for i, t in self.db.rows(
            f"SELECT id, {self.db.epoch('time')} FROM fills WHERE id > {after_id}")]

    # -- the measurement

    def measure(self):
        a, n, r = self.args, self.n, self.result
        self.start()
        rss = RssWatch(self.procs)
        rss.reset()
        rss.start()
        self.rss = rss
        self.setup_bots()
        if not self.place():
            return
        # Before any trade: the figures the targets say must not grow with the time the bots have traded.
        cpu, sim_cpu = Cpu(self.procs), Cpu({"sim": self.sim})
        time.sleep(a.idle_warmup)
        cpu.start()
        time.sleep(a.idle_secs)
        r["cpu_idle_before_pct"] = cpu.stop()[0]
        r["summary_before_p99_ms"] = self.summary_p99()[0]

        tape = TradeTape(self.sim_port)
        tape.start()
        poller = Poller(self, tape)
        rss.reset()
        cpu.start()
        sim_cpu.start()
        self.sim_post("/sim/resume")
        poller.start()
        w0 = time.time()
        end = w0 + a.minutes * 60
        while time.time() < end:
            time.sleep(min(30.0, max(0.0, end - time.time())))
            self.check_alive()
            lag = poller.lags[-1][1] if poller.lags else float("nan")
            log(f"{self.mode} N={n}: trading {time.time() - w0:.0f} s: {poller.booked()} fills booked, "
                f"matcher behind by {lag:.2f} s")
        r["cpu_trading_pct"], r["cpu_trading_per_process"] = cpu.stop()
        r["sim_cpu_pct"] = sim_cpu.stop()[0]
        r["rss_trading_mb_per_process"] = rss.peak()
        r["rss_trading_mb"] = round(sum(r["rss_trading_mb_per_process"].values()), 1)
        booked = poller.booked(until=end)
        r["fills_booked"] = booked
        r["fills_per_min"] = round(booked / a.minutes, 1)
        r["fills_per_bot_per_min"] = round(booked / a.minutes / n, 2)
        r["candles_played"] = self.sim_state()["candles_played"]

        # /api/summary while the market still moves (the poller goes on booking what fills meanwhile).
        r["summary_p99_ms"], r["summary_errors"] = self.summary_p99()
        r["summary_bots_per_user"] = min(n, a.bots_per_user)

        # Pause; the matcher catches up with the last trade and the workers book the backlog.
        self.sim_post("/sim/pause")
        paused_at = time.time()
        time.sleep(0.5)  # the paused player's last trades reach the subscriber
        last_trade = max(tape.arrived, default=None)
        while time.time() - paused_at < a.settle:
            if poller.caught_up(last_trade) and self.unbooked() == 0:
                break
            time.sleep(0.5)
        r["matcher_caught_up"] = poller.caught_up(last_trade)
        poller.stop()
        r["settle_secs"] = round(time.time() - paused_at, 1)
        r["unbooked_at_end"] = self.unbooked()
        tape.close()
        r.update(poller.delays(end, a.speed))
        r["keeps_up"] = bool(r["unbooked_at_end"] == 0 and r["matcher_caught_up"]
                             and r["fill_delay_p99_s"] is not None and r["fill_delay_p99_s"] < 1.0)

        time.sleep(a.idle_warmup)
        cpu.start()
        time.sleep(a.idle_secs)
        r["cpu_idle_pct"], r["cpu_idle_per_process"] = cpu.stop()
        r["rss_peak_mb_per_process"] = rss.peak()
        # /api/summary once the market rests, after the run's fills: what the target "independent of how long the bots
        # have traded" compares with the figure before trading.
        r["summary_after_p99_ms"] = self.summary_p99()[0]
        log(f"{self.mode} N={n}: done: {json.dumps({k: r[k] for k in COLUMNS_KEYS if k in r})}")

    def place(self):
        """Starts every bot and waits until each rests its grid; False when that does not happen."""
        a, n, r = self.args, self.n, self.result
        expect = a.levels - 1  # a started grid rests one order per level but the empty one at the price
        log(f"{self.mode} N={n}: starting {n} bots; a grid is placed when {expect} orders rest")
        t0 = self.start_bots()
        last_log = t0
        while True:
            placed, most = self.placed(expect)
            now = time.time()
            if placed >= n:
                break
            self.check_alive()
            status = self.bot_status()
            refused = sum(1 for f in self.start_futures if f.done() and f.exception())
            hopeless = (refused or status.get("error")) and placed + refused + status.get("error", 0) >= n
            if now - t0 > a.place_timeout or hopeless:
                r["grids_placed"] = f"{placed}/{n} placed in {now - t0:.0f} s"
                errors = [str(f.exception()) for f in self.start_futures if f.done() and f.exception()]
                log(f"{self.mode} N={n}: placement incomplete: {placed}/{n} grids, bots {status}, "
                    f"{refused} starts refused{': ' + errors[0] if errors else ''}")
                return False
            if now - last_log >= 10:
                log(f"{self.mode} N={n}: {placed}/{n} grids placed after {now - t0:.0f} s; bots {status}")
                last_log = now
            time.sleep(0.5)
        r["grids_placed_secs"] = round(now - t0, 1)
        r["bots_status"] = self.bot_status()
        r["max_open_orders_per_bot"] = most
        log(f"{self.mode} N={n}: {n} grids placed in {r['grids_placed_secs']} s; bots {r['bots_status']}")
        return True

    def summary_p99(self):
        a = self.args
        conns = [http.client.HTTPConnection("127.0.0.1", self.api_port, timeout=30) for _ in self.tokens]
        gap = 0.105 / len(self.tokens)  # each user's bucket refills 10 a second
        times, errors, i = [], 0, 0
        while len(times) < a.summary_requests and errors < 50:
            u = i % len(self.tokens)
            i += 1
            t = time.perf_counter()
            try:
                conns[u].request("GET", "/api/summary", headers={"authorization": f"Bearer {self.tokens[u]}"})
                resp = conns[u].getresponse()
                resp.read()
                dt = time.perf_counter() - t
                if resp.status == 200:
                    times.append(dt)
                else:
                    errors += 1
                    if resp.status == 429:
                        time.sleep(float(resp.getheader("retry-after") or 1))
            except (OSError, http.client.HTTPException):
                errors += 1
                conns[u].close()
                conns[u] = http.client.HTTPConnection("127.0.0.1", self.api_port, timeout=30)
            time.sleep(max(0.0, gap - (time.perf_counter() - t)))
        for c in conns:
            c.close()
        if times:
            self.result.setdefault("summary_samples_ms", []).append(
                {"p50": round(sorted(times)[len(times) // 2] * 1000, 1), "p99": round(p99(times) * 1000, 1),
                 "max": round(max(times) * 1000, 1), "n": len(times)})
        return (round(p99(times) * 1000, 1) if times else None), errors


# ---------------------------------------------------------------- report


def nan_if_none(x):
    return float("nan") if x is None else x


COLUMNS = [
    ("running bots", "bots", lambda r: f"{r['bots']:,}"),
    ("CPU while prices move", "cpu_trading_pct", lambda r: f"{r['cpu_trading_pct']:.0f} %"),
    ("RSS", "rss_trading_mb", lambda r: f"{r['rss_trading_mb']:.0f} MB"),
    ("fills booked/min", "fills_per_min", lambda r: f"{r['fills_per_min']:,.0f}"),
    ("unbooked at end", "unbooked_at_end", lambda r: f"{r['unbooked_at_end']:,}"),
    ("behind the market", "behind_max_s",
     lambda r: f"{r['behind_max_s']:.2f} s ({r['behind_max_candles']:.1f} candles)"),
    ("p99 fill delay", "fill_delay_p99_s", lambda r: f"{r['fill_delay_p99_s']:.2f} s"),
    ("/api/summary p99", "summary_p99_ms",
     lambda r: f"{r['summary_p99_ms']:.1f} ms ({nan_if_none(r.get('summary_before_p99_ms')):.1f} before, "
               f"{nan_if_none(r.get('summary_after_p99_ms')):.1f} after)"),
    ("grids placed in", "grids_placed_secs", lambda r: f"{r['grids_placed_secs']:.1f} s"),
    ("idle CPU", "cpu_idle_pct",
     lambda r: f"{r['cpu_idle_pct']:.1f} % ({nan_if_none(r.get('cpu_idle_before_pct')):.1f} % before)"),
    ("keeps up", "keeps_up", lambda r: "yes" if r["keeps_up"] else "no"),
]
COLUMNS_KEYS = [key for _, key, _ in COLUMNS]


def table(results, mode):
    lines = ["| " + " | ".join(c for c, _, _ in COLUMNS) + " |", "|" + " --- |" * len(COLUMNS)]
    for r in (r for r in results if r["mode"] == mode):
        cells = []
        for _, key, fmt in COLUMNS:
            if r.get(key) is None:
                why = r.get("grids_placed") or r.get("failure") if key == "grids_placed_secs" else None
                cells.append(why or "—")
            else:
                cells.append(fmt(r))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True, help="the gridbot binary")
    ap.add_argument("--sizes", default="100 500 1000 2000", help="numbers of bots, one run each")
    ap.add_argument("--modes", default="embedded distributed")
    ap.add_argument("--minutes", type=float, default=3, help="minutes of moving prices measured per run")
    ap.add_argument("--speed", type=float, default=1.0, help="simulator candles per second")
    ap.add_argument("--volatility", type=float, default=0.0005, help="random walk's relative move per market second")
    ap.add_argument("--width-pct", type=float, default=28.0, help="grid width, %% of the start price")
    ap.add_argument("--levels", type=int, default=20)
    ap.add_argument("--capital", default="1000", help="each bot's capital (USDT)")
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--bots-per-user", type=int, default=50)
    ap.add_argument("--threads", type=int, default=8, help="parallel API requests when creating and starting")
    ap.add_argument("--jobs", type=int, default=0,
                    help="jobs at once per process (serve --workers, worker --concurrency; 0: their default)")
    ap.add_argument("--workers", type=int, default=2, choices=range(1, 9),
                    help="`gridbot worker` processes in the distributed stack")
    ap.add_argument("--place-timeout", type=float, default=900, help="seconds for every grid to be placed")
    ap.add_argument("--summary-requests", type=int, default=200)
    ap.add_argument("--settle", type=float, default=30, help="seconds for the backlog to drain after the pause")
    ap.add_argument("--idle-warmup", type=float, default=5)
    ap.add_argument("--idle-secs", type=float, default=30)
    ap.add_argument("--poll", type=float, default=0.1, help="seconds between the benchmark's database polls")
    ap.add_argument("--rust-log", default=os.environ.get("RUST_LOG") or PRODUCT_LOG)
    ap.add_argument("--out", default="bench-scale.json")
    ap.add_argument("--keep", action="store_true", help="keep each run's directory (logs, SQLite files)")
    ap.add_argument("--quick", action="store_true", help="smoke run: 20 bots, 30 s of trading, short idle")
    a = ap.parse_args()
    quick = {"sizes": "20", "minutes": 0.5, "summary_requests": 50, "settle": 20, "idle_warmup": 2, "idle_secs": 10}
    for name, value in quick.items():
        given = any(arg.split("=")[0] == "--" + name.replace("_", "-") for arg in sys.argv[1:])
        if a.quick and not given:
            setattr(a, name, value)
    sizes, modes = [int(s) for s in a.sizes.replace(",", " ").split()], a.modes.replace(",", " ").split()
    # Expected fills: a resting pair fills when the price moves one spacing; a walk of σ per candle takes about
    # (spacing/σ)² candles to do that, so a bot makes about 60 × speed × (σ/spacing)² fills a minute.
    sigma, spacing = a.volatility * math.sqrt(60), a.width_pct / 100 / (a.levels - 1)
    params = (f"random walk seed {a.seed}, volatility {a.volatility}/s ({sigma * 100:.2f} % a candle), "
              f"{a.speed:g} candles/s; grids {a.levels} levels over {a.width_pct:g} % of the price "
              f"(spacing {spacing * 100:.2f} %), capital {a.capital}; ~{60 * a.speed * (sigma / spacing) ** 2:.1f} "
              f"fills/bot/min expected; {a.minutes:g} min measured; {a.bots_per_user} bots per user; "
              f"RUST_LOG={a.rust_log}")
    log(params)
    for sig in (signal.SIGTERM, signal.SIGHUP):  # stop the stack on the way out (`finally` below)
        signal.signal(sig, lambda *_: sys.exit(143))
    results = []
    for mode in modes:
        for n in sizes:
            run = Run(a, mode, n, len(results))
            log(f"== {mode}, {n} bots (logs: {run.work})")
            try:
                run.measure()
            except Exception as e:  # a run that cannot finish reports what it measured and the next one goes on
                run.result["failure"] = f"{type(e).__name__}: {e}"
                log(f"{mode} N={n}: failed: {run.result['failure']}")
            finally:
                run.stop()
                if not a.keep and "failure" not in run.result:
                    subprocess.run(["rm", "-rf", run.work], check=False)
            results.append(run.result)
            with open(a.out, "w") as f:
                json.dump({"parameters": params, "runs": results}, f, indent=1)
    print(f"Scale benchmark: {params}\n")
    for mode in modes:
        title = f"distributed, {a.workers} worker{'s' if a.workers > 1 else ''}" if mode == "distributed" else mode
        print(f"### {title}\n\n{table(results, mode)}\n")
    print(f"(figures as JSON in {a.out})")


if __name__ == "__main__":
    main()
