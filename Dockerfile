# syntax=docker/dockerfile:1.7
# One image for the six services; the command picks one (pacbot-<service>; pacbot-<service> migrate
# applies its migrations; `pacbot kafka setup` creates the topics). The default is the gateway.
#
#   docker build -t pacbot:dev .
#   docker run --read-only --tmpfs /tmp -e PACBOT_HEALTHCHECK_PORT=8101 pacbot:dev pacbot-inventory
#
# The build stage syncs the locked workspace into /app/.venv (workspace members installed as
# wheels, not editable, so the venv is all the runtime needs). The runtime stage copies only that
# venv onto a slim Python with no uv, no pip and no compiler, and runs as uid 10001 on a read-only
# root filesystem: Python writes no bytecode, and HOME and every cache point at /tmp.
# Both stages must use the same Python: the venv's interpreter links to /usr/local/bin/python3.11.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM ${UV_IMAGE} AS uv

FROM ${PYTHON_IMAGE} AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app

# Third-party dependencies first, from the lock file and the members' pyproject.toml only: this
# layer is rebuilt when a dependency changes, not when the code does.
COPY pyproject.toml uv.lock ./
COPY libs/common/pyproject.toml libs/common/pyproject.toml
COPY libs/cli/pyproject.toml libs/cli/pyproject.toml
COPY services/inventory/pyproject.toml services/inventory/pyproject.toml
COPY services/assessor/pyproject.toml services/assessor/pyproject.toml
COPY services/violations/pyproject.toml services/violations/pyproject.toml
COPY services/exceptions/pyproject.toml services/exceptions/pyproject.toml
COPY services/autofix/pyproject.toml services/autofix/pyproject.toml
COPY services/gateway/pyproject.toml services/gateway/pyproject.toml
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --all-packages --frozen --no-dev --no-install-workspace

# Then the workspace's own packages (their code, policy packs, migrations and dashboard files).
COPY libs/common/src libs/common/src
COPY libs/cli/src libs/cli/src
COPY services/inventory/src services/inventory/src
COPY services/assessor/src services/assessor/src
COPY services/violations/src services/violations/src
COPY services/exceptions/src services/exceptions/src
COPY services/autofix/src services/autofix/src
COPY services/gateway/src services/gateway/src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --all-packages --frozen --no-dev --no-editable

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="pacbot" \
      org.opencontainers.image.description="PacBot services: inventory, assessor, violations, exceptions, autofix, gateway"
# pip is the one installer the base image ships: removed, so nothing installs at run time.
RUN groupadd --system --gid 10001 pacbot \
    && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home \
        --shell /usr/sbin/nologin pacbot \
    && rm -rf /usr/local/bin/pip /usr/local/bin/pip3* \
        /usr/local/lib/python3.11/site-packages/pip /usr/local/lib/python3.11/site-packages/pip-*
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    VIRTUAL_ENV=/app/.venv \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    TMPDIR=/tmp \
    XDG_CACHE_HOME=/tmp/.cache \
    PACBOT_HEALTHCHECK_PORT=8100
WORKDIR /tmp
USER 10001:10001
EXPOSE 8100 8101 8102 8103 8104 8105
# /healthz of the service in this container: its port is PACBOT_HEALTHCHECK_PORT (the gateway's
# 8100 by default; inventory 8101, assessor 8102, violations 8103, exceptions 8104, autofix 8105).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PACBOT_HEALTHCHECK_PORT', '8100') + '/healthz', timeout=4)"]
CMD ["pacbot-gateway"]
