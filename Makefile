# Gridbot — the two commands of the README's Quick start, and a few more.
.PHONY: run test bench bench-scale soak lint

# Build and run Gridbot: the dashboard on http://127.0.0.1:8080 (gridbot serve).
run:
	@bash scripts/run.sh

# Every test, with whatever they need installed and started.
test:
	@bash scripts/test.sh

# Criterion benchmarks (figures in the README).
bench:
	cargo bench -p gridbot-core --bench backtest
	cargo bench -p gridbot-worker --bench latency
	cargo bench -p gridbot-platform --bench job_record

# N paper grid bots, embedded and distributed, on a fresh stack per size (tens of minutes; not in `test`).
# Options through ARGS, e.g. make bench-scale ARGS="--quick" or ARGS="--sizes '100 500' --modes embedded".
bench-scale:
	@bash scripts/bench-scale.sh $(ARGS)

# The distributed stack against the simulator replaying real candles with faults on (minutes; not in `test`).
soak:
	@bash scripts/soak.sh

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
