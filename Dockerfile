# syntax=docker/dockerfile:1
# The webhook image: atcr-webhook (the entrypoint) and the atcr-verify CLI.
#   docker build --build-arg ATCR_BUILD_COMMIT=$(git rev-parse --short=12 HEAD) -t REGISTRY/atcr-verify/atcr-webhook:VERSION .
# No Docker engine runs where this project is developed: scripts/check-deployment runs the
# same release build and checks that the binaries need no shared library the runtime stage
# below does not install.

# ---- build: the Swift toolchain (Debian 12) plus the -dev packages of the system libraries.
FROM swift:6.3.1-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsecp256k1-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The whole package: SwiftPM checks that every target it declares (tests, benchmarks) exists.
COPY . .
# The git commit `--version`, the startup log and atcr_build_info report: .git is not in the
# build context, so pass it: docker build --build-arg ATCR_BUILD_COMMIT=$(git rev-parse --short=12 HEAD) .
ARG ATCR_BUILD_COMMIT=unknown
# Release mode, Swift standard library and Foundation linked statically: the runtime needs no
# Swift toolchain, only the C libraries listed in RUNTIME_PACKAGES.
RUN --mount=type=cache,target=/src/.build \
    swift build -c release --static-swift-stdlib --product atcr-webhook \
    && swift build -c release --static-swift-stdlib --product atcr-verify \
    && mkdir -p /out \
    && cp "$(swift build -c release --show-bin-path)/atcr-webhook" "$(swift build -c release --show-bin-path)/atcr-verify" /out/ \
    && strip /out/atcr-webhook /out/atcr-verify

# ---- runtime: slim Debian with only what the binaries load.
FROM debian:bookworm-slim
# Exactly the packages that own the libraries `ldd` lists for both binaries, plus
# ca-certificates (trust roots for registries, the PLC directory, PDSes and did:web hosts).
# Most are in the base image already; naming them keeps this list the single source that
# scripts/check-deployment compares with `ldd`, which fails on any difference.
ARG RUNTIME_PACKAGES="ca-certificates libc6 libgcc-s1 libsecp256k1-1 libstdc++6 zlib1g"
RUN apt-get update \
    && apt-get install -y --no-install-recommends $RUNTIME_PACKAGES \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/atcr-webhook /out/atcr-verify /usr/local/bin/
# A numeric non-root user (the conventional "nonroot" id), so runAsNonRoot can check it.
USER 65532:65532
# 8443: HTTPS (/validate, /healthz, /readyz, /metrics); 9090: plain-HTTP metrics and health.
EXPOSE 8443 9090
ENTRYPOINT ["/usr/local/bin/atcr-webhook"]
