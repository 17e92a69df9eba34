# Gridbot: one image, many roles (`gridbot serve | api | worker | scheduler | migrate | sim …`).
#
#   docker build -t gridbot .                      the runtime image (the last stage): gridbot + the built dashboard
#   docker build --target frontend -t gridbot-web .  nginx serving the dashboard and proxying the API (docker-compose)
#
# Layers are ordered for the cache: npm packages and Rust dependencies (cargo-chef) are rebuilt only when
# package-lock.json or a Cargo.toml/Cargo.lock changes; the Rust build sees only the crates, so editing the front end,
# docs or scripts does not recompile it. The front-end stages come first so that a builder without BuildKit, which
# runs every stage up to the target, builds `--target frontend` without compiling Rust.

ARG RUST_VERSION=1.95
ARG NODE_VERSION=20

# ---- web: the Vue dashboard → /web/dist
FROM node:${NODE_VERSION}-bookworm-slim AS web
WORKDIR /web
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ ./
RUN npm run build

# ---- frontend: nginx with the dashboard, proxying /api, /ws and the operations endpoints to api:8080
FROM nginx:alpine AS frontend
COPY deploy/nginx.conf /etc/nginx/conf.d/default.conf
COPY --from=web /web/dist /usr/share/nginx/html
EXPOSE 80
HEALTHCHECK --interval=15s --timeout=3s --start-period=5s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1/ || exit 1

# ---- chef: the Rust toolchain (Debian bookworm, as the runtime, so glibc matches) and cargo-chef
FROM rust:${RUST_VERSION}-bookworm AS chef
RUN cargo install cargo-chef --locked
WORKDIR /src

# ---- planner: the dependency recipe, and a copy of the tree holding only what cargo needs
FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json \
 && mkdir /rust \
 && cp -a Cargo.toml Cargo.lock /rust/ \
 && for f in rust-toolchain rust-toolchain.toml .cargo; do if [ -e "$f" ]; then cp -a "$f" /rust/; fi; done \
 && find . -mindepth 2 -name Cargo.toml -not -path './frontend/*' -not -path '*/target/*' -printf '%h\n' \
    | while read -r dir; do mkdir -p "/rust/$dir" && cp -a "$dir/." "/rust/$dir/"; done

# ---- builder: dependencies (cached while the manifests are unchanged), then the workspace
FROM chef AS builder
COPY --from=planner /src/recipe.json recipe.json
RUN cargo chef cook --release -p gridbot-cli --recipe-path recipe.json
COPY --from=planner /rust/ ./
RUN cargo build --release -p gridbot-cli --locked \
 && install -m 0755 target/release/gridbot /usr/local/bin/gridbot

# ---- runtime: the default target
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 gridbot \
 && useradd --system --uid 10001 --gid gridbot --home-dir /app --no-create-home --shell /usr/sbin/nologin gridbot
# The working directory holds the dashboard (frontend/dist, GRIDBOT_STATIC_DIR's default) and, in embedded mode
# (no DATABASE_URL), the SQLite files under ./data: mount a volume there to keep them (-v gridbot-data:/app/data).
WORKDIR /app
COPY --from=builder /usr/local/bin/gridbot /usr/local/bin/gridbot
COPY --from=web /web/dist /app/frontend/dist
RUN mkdir -p /app/data && chown gridbot:gridbot /app/data
ENV GRIDBOT_BIND=0.0.0.0:8080 \
    GRIDBOT_STATIC_DIR=/app/frontend/dist \
    RUST_LOG=info
USER 10001:10001
EXPOSE 8080
# Ctrl-C's signal: gridbot's graceful shutdown listens for it (finish jobs, close streams).
STOPSIGNAL SIGINT
# For the HTTP roles (serve, api); docker-compose disables it for worker, scheduler and migrate.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS -o /dev/null --max-time 2 http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["gridbot"]
CMD ["serve", "--bind", "0.0.0.0:8080"]
