# relance — a small runtime image built in two stages. By default it runs
# `relance serve`: the HTTP server on port 8080, the morning digest on
# schedule, the decision engine. Any other command runs the same way:
#   docker run --rm -v relance-data:/data relance plan
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
COPY templates ./templates
COPY bot-config.yaml ./
RUN cargo build --release --locked --bin relance

FROM debian:bookworm-slim
# ca-certificates: the Slack client (hyper-rustls) trusts the system's CA
# store. tzdata: local time in logs and tools; relance itself carries its
# time zones (chrono-tz).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /data relance \
 && mkdir -p /data && chown relance /data
COPY --from=build /src/target/release/relance /usr/local/bin/relance
# The configuration lives on the volume, next to the SQLite database: the
# working directory's bot-config.yaml is relance's default. The shipped file
# is copied there so a new named volume starts with it (Docker copies an
# image's files into an empty named volume), ready to edit. A volume without
# one (a bind mount, say) runs on the same shipped configuration, built into
# the binary, which reads every secret from the environment. To keep the
# file elsewhere, set RELANCE_CONFIG.
COPY --chown=relance bot-config.yaml /data/bot-config.yaml
USER relance
WORKDIR /data
VOLUME ["/data"]
# The database defaults to SQLite on the volume; set DATABASE_URL for PostgreSQL.
# Inside a container the server must listen on every interface to be reached.
ENV DATABASE_URL=sqlite:///data/relance.db \
    RELANCE_LISTEN=0.0.0.0:8080 \
    RUST_LOG=warn,relance=info
EXPOSE 8080
# The slim base has no curl or wget, and adding one (with its libraries)
# would grow the image for a single request. bash, always present, opens the
# TCP connection itself (/dev/tcp) and checks for a 200 from /healthz, which
# answers once the database does. The port follows RELANCE_LISTEN.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>\"/dev/tcp/127.0.0.1/${RELANCE_LISTEN##*:}\" && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# relance is PID 1 and handles SIGTERM (docker stop): it stops accepting,
# finishes the requests in flight and exits.
ENTRYPOINT ["relance"]
CMD ["serve"]
