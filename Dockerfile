# One image with the three service binaries; each Deployment picks its own with `command`
# (k8s/base/apps/*.yaml). Debian bookworm, like the development machines, so the image links
# against the same library versions the tests ran with.
#   docker build -t task-event-workers:0.1.0 .
# tools/manifest-check checks this file's structure against the build and the manifests
# (scripts/check-manifests).

FROM debian:bookworm AS build
# The library packages of scripts/setup, and the build tools; no test framework (tests off).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config ca-certificates \
      libboost1.81-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcurl4-openssl-dev \
      libhowardhinnant-date-dev libmimalloc-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake --preset release -DTEW_BUILD_TESTS=OFF \
 && cmake --build --preset release --target tew-notification tew-reminder tew-recurring \
 && strip build/release/bin/tew-notification build/release/bin/tew-reminder build/release/bin/tew-recurring

FROM debian:bookworm-slim
# Only what the binaries load at run time (their DT_NEEDED libraries' packages; libc6,
# libstdc++6 and libgcc-s1 are in the base image), the time zone database for date/tz, and CA
# certificates for https:// sidecar or webhook endpoints.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcurl4 libfmt9 libspdlog1.10 libdate-tz3 libmimalloc2.0 libssl3 tzdata ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/release/bin/tew-notification /src/build/release/bin/tew-reminder /src/build/release/bin/tew-recurring /usr/local/bin/
# A numeric, non-root user: the pods' runAsUser/runAsGroup, and what runAsNonRoot can verify.
USER 10001:10001
# Every service listens on its APP_PORT (8081, 8082, 8083) on APP_HOST, which must be 0.0.0.0
# in a container.
ENV APP_HOST=0.0.0.0
EXPOSE 8081 8082 8083
CMD ["tew-notification", "--help"]
