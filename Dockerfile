# Runnel container image: runnel-broker (the entrypoint) and runnel-operator.
#
#   scripts/image-build            # buildah + debootstrap, no registry needed (needs root)
#   docker build -t runnel:dev .   # also fine: standard instructions (BuildKit for the cache mount)
#
# Two stages: a full Debian builder compiles a Release build with tests off; the runtime stage
# is bookworm-slim plus only the shared libraries the binaries link against.

ARG DEBIAN_RELEASE=bookworm

# ---- builder ----------------------------------------------------------------------------------
FROM debian:${DEBIAN_RELEASE} AS build

# Targets to build; all of them end up in /out/bin. scripts/image-build narrows this to
# runnel-broker while the operator has no executable target yet.
ARG RUNNEL_TARGETS="runnel-broker runnel-operator"
ARG RUNNEL_BUILD_JOBS=2

# Same list as scripts/install-deps.sh, minus what only tests and fuzzing need (gtest, clang,
# python). ccache makes rebuilds of the image cheap through the cache mount below.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config ccache \
      liburing-dev nlohmann-json3-dev libcpp-httplib-dev prometheus-cpp-dev libssl-dev libyaml-cpp-dev \
      zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev \
 && rm -rf /var/lib/apt/lists/*

# .dockerignore admits only what the build reads (CMakeLists.txt, broker/, operator/), so edits
# elsewhere keep the layers below cached.
COPY . /src
WORKDIR /src
RUN --mount=type=cache,target=/root/.ccache \
    export CCACHE_DIR=/root/.ccache CCACHE_BASEDIR=/src \
 && cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DRUNNEL_TESTS=OFF \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache \
 && cmake --build build -j "${RUNNEL_BUILD_JOBS}" --target ${RUNNEL_TARGETS} \
 && mkdir -p /out/bin \
 && for t in ${RUNNEL_TARGETS}; do install -m 0755 -s "build/bin/$t" /out/bin/; done

# ---- runtime ----------------------------------------------------------------------------------
FROM debian:${DEBIAN_RELEASE}-slim

ARG RUNNEL_VERSION=0.1.0
ARG RUNNEL_REVISION=unknown
LABEL org.opencontainers.image.title="runnel" \
      org.opencontainers.image.description="Kafka-compatible streaming broker (io_uring, thread per core) and its Kubernetes operator" \
      org.opencontainers.image.version="${RUNNEL_VERSION}" \
      org.opencontainers.image.revision="${RUNNEL_REVISION}" \
      org.opencontainers.image.base.name="debian:bookworm-slim"

# Runtime libraries only: the sonames the binaries link against (tests/image checks that nothing
# is missing), and a fixed non-root uid/gid so Kubernetes securityContext (runAsUser/fsGroup
# 10001) matches. One RUN: every layer is a full copy under buildah's vfs driver.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      liburing2 libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 libcpp-httplib0.11 libssl3 libbrotli1 libyaml-cpp0.7 \
      zlib1g liblz4-1 libzstd1 libsnappy1v5 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /var/log/apt /var/log/dpkg.log \
 && groupadd --system --gid 10001 runnel \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/runnel --no-create-home \
      --shell /usr/sbin/nologin runnel \
 && mkdir -p /var/lib/runnel/data \
 && chown -R 10001:10001 /var/lib/runnel

COPY --from=build /out/bin/ /usr/local/bin/

USER 10001:10001
WORKDIR /var/lib/runnel
VOLUME ["/var/lib/runnel/data"]
# 9092: Kafka listener; 9644: admin HTTP (/metrics, /healthz, /readyz, /v1/...).
EXPOSE 9092 9644

# The broker is PID 1 and handles SIGTERM itself (clean shutdown, final fsync). The entrypoint
# only sets log.dir, so an explicit log.dirs (as the operator passes) still wins. CMD holds
# single-node defaults and is replaced by whatever arguments `run` is given.
ENTRYPOINT ["/usr/local/bin/runnel-broker", "--override", "log.dir=/var/lib/runnel/data"]
CMD ["--override", "offsets.topic.replication.factor=1", \
     "--override", "transaction.state.log.replication.factor=1"]
