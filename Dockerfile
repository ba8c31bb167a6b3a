# netatmo2mqtt: one image for the Home Assistant app (add-on) and for standalone Docker.
#
# Base: Home Assistant's pinned multi-arch Alpine base (amd64 and aarch64). Since Supervisor
# 2026.04 no BUILD_FROM is passed, so the base is named here. The Supervisor still passes
# BUILD_VERSION and BUILD_ARCH; their defaults serve a plain `docker build`
# (add `--build-arg BUILD_ARCH=aarch64` on arm64).

# ---- build: compile TypeScript with the dev dependencies ----
FROM ghcr.io/home-assistant/base:3.23 AS build
RUN apk add --no-cache nodejs npm
WORKDIR /build
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would compile before the sources are here.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- deps: production dependencies only (all pure JavaScript: no install scripts) ----
FROM ghcr.io/home-assistant/base:3.23 AS deps
RUN apk add --no-cache nodejs npm
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
    && npm cache clean --force

# ---- runtime ----
FROM ghcr.io/home-assistant/base:3.23
ARG BUILD_VERSION=0.1.0
ARG BUILD_ARCH=amd64

# tini is the init (config.yaml says `init: false`); su-exec drops root after /data is fixed up.
RUN apk add --no-cache nodejs tini su-exec tzdata \
    && addgroup -S netatmo2mqtt \
    && adduser -S -D -H -h /app -s /sbin/nologin -G netatmo2mqtt netatmo2mqtt

WORKDIR /app
COPY --from=deps /build/node_modules ./node_modules
COPY --from=build /build/dist ./dist
# dist/version.js reads the version from here.
COPY package.json ./
# Read only by `demo` and `simulator` (the built-in Netatmo simulator, 0.6 MB). Kept so that
# `docker run --rm <image> demo` works from the same image.
COPY src/simulator/fixtures ./src/simulator/fixtures
COPY rootfs /

# Standalone containers keep tokens and state in the /data volume, like the add-on.
# Outside a container the web UI listens on 127.0.0.1 by default; inside one, loopback cannot be
# reached through `-p 8099:8099`, so the image says 0.0.0.0 explicitly. The UI then asks for its
# login (a password, or the setup code printed in the log at first start); keep the port on a
# private network all the same. In the add-on only the ingress proxy may call.
ENV NODE_ENV=production \
    NETATMO2MQTT_DATA_DIR=/data \
    NETATMO2MQTT_WEB_HOST=0.0.0.0

# The io.hass.* values are config.yaml's, as Home Assistant's builder writes them (name,
# description, url; type app; version and arch from the build arguments); a test keeps them in step.
LABEL \
    io.hass.name="Netatmo2MQTT" \
    io.hass.description="Netatmo cloud to MQTT bridge with Home Assistant discovery that survives Netatmo throttling and never loses a rotated refresh token" \
    io.hass.url="https://github.com/netatmo2mqtt/netatmo2mqtt" \
    io.hass.type="app" \
    io.hass.version="${BUILD_VERSION}" \
    io.hass.arch="${BUILD_ARCH}" \
    org.opencontainers.image.title="Netatmo2MQTT" \
    org.opencontainers.image.description="Netatmo cloud to MQTT bridge with Home Assistant discovery that survives Netatmo throttling and never loses a rotated refresh token" \
    org.opencontainers.image.url="https://github.com/netatmo2mqtt/netatmo2mqtt" \
    org.opencontainers.image.version="${BUILD_VERSION}" \
    org.opencontainers.image.source="https://github.com/netatmo2mqtt/netatmo2mqtt" \
    org.opencontainers.image.documentation="https://github.com/netatmo2mqtt/netatmo2mqtt/blob/main/DOCS.md" \
    org.opencontainers.image.licenses="MIT"

# The web UI (Home Assistant ingress port).
EXPOSE 8099

# Replaces the add-on `watchdog`: GET /healthz on the web UI answers 200 while the bridge runs
# and MQTT is connected — or reconnecting for less than 2 minutes, since the bridge reconnects
# by itself: a broker restart (a Mosquitto update, say) never makes the container unhealthy.
# Unhealthy after 3 failed checks 30 s apart, i.e. an outage of about 3.5 minutes.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["netatmo2mqtt-healthcheck"]

# No USER: the process starts as root only to hand /data to the unprivileged user
# `netatmo2mqtt` (Home Assistant mounts /data owned by root), then the entrypoint drops to that
# user with su-exec before node starts. See rootfs/usr/local/bin/netatmo2mqtt-entrypoint.
ENTRYPOINT ["/sbin/tini", "--", "netatmo2mqtt-entrypoint"]
CMD ["start"]
