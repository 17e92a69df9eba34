# Gridbot — the two commands of the README's Quick start, and a few more.
.PHONY: run test bench lint

# Set up and run Gridbot (today: a demo backtest and sweep on real candles).
run:
	@bash scripts/run.sh

# Every test, with whatever they need installed and started.
test:
	@bash scripts/test.sh

# Criterion benchmarks (figures in the README).
bench:
	cargo bench -p gridbot-core --bench backtest

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
