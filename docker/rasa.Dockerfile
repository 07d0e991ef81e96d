# The dialogue image: Rasa 3.6 on Python 3.10 with the bot's code; the model is trained at build.
# The same image runs the Rasa server (the default command) and the action server (compose's `actions`).
# Build from the repository root: docker build -f docker/rasa.Dockerfile .
FROM python:3.10-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RASA_TELEMETRY_ENABLED=false \
    SQLALCHEMY_SILENCE_UBER_WARNING=1
WORKDIR /app/bot
RUN useradd --create-home --uid 10002 rasa

COPY bot/requirements.txt bot/requirements-nodeps.txt bot/constraints.txt ./
# contract/: what the bot and the API must agree on (standard library only), installed as in the Makefile.
COPY contract /app/contract
RUN pip install -c constraints.txt -r requirements.txt \
    && pip install --no-deps -c constraints.txt -r requirements-nodeps.txt \
    && pip install --no-deps -e /app/contract

# The bot's sources (bot/models is excluded by .dockerignore: the model is trained here, from these files).
COPY bot/ ./
RUN rasa train --domain domain --data data --config config.yml --out models --fixed-model-name current \
    && rm -rf .rasa/cache \
    && chown -R rasa:rasa /app/bot
USER rasa
EXPOSE 5005 5055
CMD ["rasa", "run", "--model", "models/current.tar.gz", "--endpoints", "endpoints.production.yml", \
     "--credentials", "credentials.yml", "--interface", "0.0.0.0", "--port", "5005"]
