# syntax=docker/dockerfile:1
#
# synth agent image.
#
#   docker build -t synth:dev .
#   docker run --rm --ipc=host -p 9464:9464 \
#     -v "$PWD/regions:/etc/synth/regions:ro" synth:dev --region eu-west-1
#
# Shared memory: Chromium keeps renderer buffers in /dev/shm, and Docker's
# default of 64 MB makes tabs crash on heavy pages. Run with --ipc=host or
# --shm-size=1g (Kubernetes: the regional_agent module mounts a 1Gi
# memory-backed emptyDir at /dev/shm). The agent also launches Chromium with
# --disable-dev-shm-usage (shared memory in /tmp instead), but keep the flag:
# it is what protects any other browser launch.
#
# The tag below must stay equal to the playwright==X.Y.Z pin in pyproject.toml
# (tests/deploy/test_dockerfile.py enforces it): the image's browsers in
# /ms-playwright are the builds that exact Playwright release drives.
FROM mcr.microsoft.com/playwright/python:v1.65.2-noble

# tini as PID 1: Chromium spawns zygote/renderer/GPU helper processes; when
# one is orphaned (a crashed browser, a killed context) it is re-parented to
# PID 1, and only a real init reaps it. Without it the agent (as PID 1) would
# accumulate zombies over weeks of runs. tini also forwards SIGTERM to the
# agent so it can finish in-flight journeys and flush its spool.
# DL3008 (pin apt versions) is ignored: tini comes from the archive of the
# Ubuntu release pinned by the base image tag; pinning its exact revision
# would break the build whenever Ubuntu publishes a security rebuild, without
# making it any more repeatable.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*

# Dedicated non-root user with a fixed high UID/GID. The noble base already
# uses UID 1000 (ubuntu) and 1001 (pwuser); Kubernetes (regional_agent:
# run_as_user = 10001) refers to this number.
RUN groupadd --system --gid 10001 synth \
    && useradd --system --uid 10001 --gid synth --home-dir /home/synth --create-home --shell /usr/sbin/nologin synth \
    && mkdir -p /var/spool/synth /etc/synth/regions \
    && chown synth:synth /var/spool/synth

WORKDIR /app

# Install the package (and its pinned Playwright) system-wide, as root, so the
# runtime user cannot modify the code it runs.
COPY pyproject.toml README.md ./
COPY agent/ ./agent/
RUN pip install --no-cache-dir . \
    && rm -rf build ./*.egg-info

COPY journeys/ ./journeys/
# Regions baked in twice: /app/regions is the reference copy shipped with the
# release; /etc/synth/regions is SYNTH_REGIONS_DIR and is meant to be
# replaced by a mount (docker -v, or the per-region ConfigMap in Kubernetes).
COPY regions/ ./regions/
COPY regions/ /etc/synth/regions/

ENV SYNTH_LISTEN=0.0.0.0:9464 \
    SYNTH_SPOOL_DIR=/var/spool/synth \
    SYNTH_REGIONS_DIR=/etc/synth/regions \
    SYNTH_JOURNEYS_DIR=/app/journeys \
    SYNTH_LOG_FORMAT=json \
    PLAYWRIGHT_BROWSERS_PATH=/ms-playwright \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1

USER 10001:10001

# /metrics, /healthz and /readyz.
EXPOSE 9464

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9464/healthz', timeout=4)"]

# ENTRYPOINT is `synth agent`, behind tini (see above). Pass the region as
# arguments: docker run ... synth:dev --region eu-west-1
ENTRYPOINT ["/usr/bin/tini", "--", "synth", "agent"]
