# Container image of the `cattery` binary.
#
#   docker build -t cattery .
#
# Build stage: the Rust toolchain compiles the workspace's `cattery` package
# from the locked dependency set. Runtime stage: Debian slim with CA
# certificates, curl (for the health check) and the RDS CA bundle, running as
# an unprivileged user.

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-slim-bookworm AS builder

# aws-lc-sys (TLS of the AWS SDK) compiles C code; cmake and pkg-config
# cover the crates that look for them. Debian package versions are not pinned
# on purpose: the stable suite only moves for security fixes.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends cmake pkg-config \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .

# Cache mounts keep the registry and target directory between builds
# (BuildKit, the default builder of current Docker).
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p cattery \
    && install -m 0755 target/release/cattery /usr/local/bin/cattery


FROM debian:bookworm-slim AS runtime

# Amazon RDS certificate bundle, so that the tasks can use PGSSLMODE=verify-full
# with PGSSLROOTCERT=/usr/local/share/cattery/rds-global-bundle.pem.
# Build with --build-arg RDS_CA_BUNDLE_URL= to leave it out (then use
# PGSSLMODE=require against RDS).
ARG RDS_CA_BUNDLE_URL=https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem

# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -m 0755 /usr/local/share/cattery \
    && if [ -n "$RDS_CA_BUNDLE_URL" ]; then \
           curl -fsSL --retry 3 "$RDS_CA_BUNDLE_URL" -o /usr/local/share/cattery/rds-global-bundle.pem \
           && chmod 0644 /usr/local/share/cattery/rds-global-bundle.pem; \
       fi \
    && groupadd --system --gid 10001 cattery \
    && useradd --system --uid 10001 --gid cattery --home-dir /var/lib/cattery \
           --no-create-home --shell /usr/sbin/nologin cattery \
    && install -d -o cattery -g cattery -m 0750 /var/lib/cattery

COPY --from=builder /usr/local/bin/cattery /usr/local/bin/cattery

# Defaults for a container; every one can be overridden at run time.
ENV CATTERY_LISTEN=0.0.0.0:8080 \
    CATTERY_DATA_DIR=/var/lib/cattery \
    CATTERY_LOG_FORMAT=json

USER 10001:10001
WORKDIR /var/lib/cattery
EXPOSE 8080

# Liveness only (/healthz); the load balancer checks readiness on /readyz.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/healthz"]

ENTRYPOINT ["cattery"]
CMD ["serve"]
