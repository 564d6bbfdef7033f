# Leercoach: one process serves every adapter's HTTP endpoints and (later) runs the scheduler.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    LEERCOACH_DATABASE_URL=sqlite:////data/leercoach.db

RUN groupadd --system leercoach \
    && useradd --system --gid leercoach --home-dir /app --shell /usr/sbin/nologin leercoach \
    && mkdir -p /app /data \
    && chown leercoach:leercoach /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY prompts ./prompts
COPY scheduler ./scheduler
RUN pip install . && rm -rf /root/.cache

USER leercoach
VOLUME ["/data"]
EXPOSE 3978

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3978/healthz', timeout=4).status == 200 else 1)"

# Secrets (Slack/Teams tokens, database passwords) come from the environment at run time.
CMD ["leercoach", "serve", "--host", "0.0.0.0", "--port", "3978"]
