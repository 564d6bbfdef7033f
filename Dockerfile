# Leercoach: `leercoach serve` answers every adapter's HTTP endpoints and runs the scheduler's
# ticks (or leaves them to another process with --no-scheduler; compose.yaml does that).
#
# Build: docker build -t leercoach .    Run it with PostgreSQL: see compose.yaml and the
# README's "Run it in production".
#
# The base image is pinned to an exact tag; the dependencies come from requirements.lock
# (uv's pins, checked against pyproject.toml in CI) in a layer of their own, so a change to
# the code rebuilds only the last layers. Pillow is not in the image: only
# `leercoach teams-package` needs it (pip install 'leercoach[teams-package]').
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

RUN groupadd --system leercoach \
    && useradd --system --gid leercoach --home-dir /app --shell /usr/sbin/nologin leercoach \
    && mkdir -p /app /data \
    && chown leercoach:leercoach /data

WORKDIR /app

# 1. The dependencies, exactly as locked: this layer changes only with requirements.lock.
COPY requirements.lock ./
RUN pip install -r requirements.lock

# 2. The code, without resolving anything again (everything it needs is in layer 1).
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY prompts ./prompts
COPY scheduler ./scheduler
RUN pip install --no-deps . && rm -rf build *.egg-info

USER leercoach
# The embedded default (sqlite:///leercoach.db) lands on the volume; LEERCOACH_DATABASE_URL
# (or LEERCOACH_DATABASE_URL_FILE) names PostgreSQL instead.
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3978

# Alive: the process answers. compose.yaml checks /readyz (database, schema, scheduler ticks)
# where it decides whether a replica gets traffic.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3978/healthz', timeout=4).status == 200 else 1)"]

# Secrets (Slack/Teams tokens, the encryption key, the database URL) come from the
# environment or, as NAME_FILE, from files such as Docker secrets, at run time.
CMD ["leercoach", "serve", "--host", "0.0.0.0", "--port", "3978"]
