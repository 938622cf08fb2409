# relance — a small runtime image built in two stages.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
COPY templates ./templates
COPY bot-config.yaml ./
RUN cargo build --release --locked --bin relance

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /data relance \
 && mkdir -p /data /etc/relance && chown relance /data
COPY --from=build /src/target/release/relance /usr/local/bin/relance
COPY bot-config.yaml /etc/relance/bot-config.yaml
USER relance
WORKDIR /data
VOLUME ["/data"]
# The database defaults to SQLite on the volume; set DATABASE_URL for PostgreSQL.
ENV RELANCE_CONFIG=/etc/relance/bot-config.yaml \
    DATABASE_URL=sqlite:///data/relance.db
ENTRYPOINT ["relance"]
CMD ["plan"]
