# syntax=docker/dockerfile:1
#
# The mpgate server image: `mpgate serve` as a non-root user, with git for
# the repository mirrors, bubblewrap to sandbox the builds of requests, and
# tini as PID 1 to reap the orphans that killed builds leave behind.
#
#   docker build -t mpgate --build-arg VERSION=v1.2.3 .
#   docker run -d -p 8080:8080 -v mpgate-data:/data \
#     --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
#     --security-opt systempaths=unconfined mpgate
#
# The security options let bubblewrap create its namespaces inside the
# container; without them mpgate says at start that no sandbox is available
# and refuses the builds it does not trust. No Node.js here: extend the
# image for builds (docs/sandbox.md).

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags="-s -w -X main.version=${VERSION}" \
      -o /out/mpgate ./cmd/mpgate

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap ca-certificates git tini \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --uid 10001 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin mpgate \
 && mkdir -p /data \
 && chown mpgate:mpgate /data \
 && chmod 0700 /data
COPY --from=build /out/mpgate /usr/local/bin/mpgate
ENV MPGATE_DATA_DIR=/data MPGATE_ADDR=0.0.0.0:8080 HOME=/data
USER mpgate
WORKDIR /data
VOLUME /data
EXPOSE 8080
# No curl or wget in the slim image: bash's /dev/tcp asks /healthz on the
# port of MPGATE_ADDR.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${MPGATE_ADDR##*:} && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && read -r status <&3 && [[ $status == 'HTTP/'*' 200 '* ]]"]
ENTRYPOINT ["tini", "--", "mpgate"]
CMD ["serve"]
