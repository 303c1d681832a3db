# syntax=docker/dockerfile:1
#
# The mpgate server image: `mpgate serve` as a non-root user, with git for
# the repository mirrors, bubblewrap to sandbox the builds of requests, and
# tini as PID 1 to reap the orphans that killed builds leave behind.
#
#   docker build -t mpgate --build-arg VERSION=v1.2.3 \
#     --build-arg COMMIT=$(git rev-parse HEAD) --build-arg DATE=$(git log -1 --format=%cI) .
#   docker run -d -p 8080:8080 -v mpgate-data:/data \
#     --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
#     --security-opt systempaths=unconfined mpgate
#
# The security options let bubblewrap create its namespaces inside the
# container; without them mpgate says at start that no sandbox is available
# and refuses the builds it does not trust. No Node.js here: extend the
# image for builds (docs/sandbox.md).
#
# Releases publish ghcr.io/mpgate/mpgate from Dockerfile.release (the same
# runtime, with the binary GoReleaser built); keep the two in step.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION="" COMMIT="" DATE=""
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags="-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.date=${DATE}" \
      -o /out/mpgate ./cmd/mpgate

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap ca-certificates git tini \
 && rm -rf /var/lib/apt/lists/*
# A numeric user and group: Kubernetes' runAsNonRoot can only verify a
# numeric USER.
RUN groupadd --gid 10001 mpgate \
 && useradd --uid 10001 --gid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin mpgate \
 && mkdir -p /data \
 && chown 10001:10001 /data \
 && chmod 0700 /data
COPY --from=build /out/mpgate /usr/local/bin/mpgate
ENV MPGATE_DATA_DIR=/data MPGATE_ADDR=0.0.0.0:8080 HOME=/data
USER 10001:10001
WORKDIR /data
VOLUME /data
EXPOSE 8080
# Docker's image format keeps HEALTHCHECK; the OCI format (buildah and
# podman's default, Kubernetes) drops it. Kubernetes ignores it anyway: use
# the probes of docs/deploy.md (GET /healthz, GET /readyz).
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["mpgate", "healthcheck"]
ENTRYPOINT ["tini", "--", "mpgate"]
CMD ["serve"]
