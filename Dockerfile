# The contact center's image. By default it serves HTTP and WebSockets (uvicorn); compose.yaml runs the same image
# as the task worker, the scheduler and the one-shot migration. README "Running it in production" → "Containers".
# Not exercised in CI (no container daemon there); tests/test_deployment_files.py checks what it runs.

FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
# GNU gettext's msgfmt compiles the translation catalogues, as `make messages` does; only this stage needs it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
# `make messages`' command. DJANGO_DEBUG=0: no development secrets are generated into the image
# (var/dev-secrets.json); var/ is left out of the image.
RUN DJANGO_DEBUG=0 python manage.py compilemessages --ignore=.venv --ignore=var -v 0 \
 && rm -rf var

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH \
    DJANGO_DEBUG=0 DJANGO_STATIC_ROOT=/app/var/static
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
# An unprivileged user; it owns only what the app writes: var/ (settings create it), the attachments
# (DJANGO_MEDIA_ROOT) and the erasure journal's directory (ERASURE_JOURNAL_PATH), where compose.yaml mounts volumes.
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home contactcenter \
 && mkdir -p /app/var/static /srv/contactcenter/media /var/lib/contactcenter-journal \
 && chown -R contactcenter:contactcenter /app/var /srv/contactcenter/media /var/lib/contactcenter-journal
WORKDIR /app
USER contactcenter
EXPOSE 8000
# As `make run` starts it, for production: every interface (the proxy in front is another host or container),
# several worker processes, and no proxy headers of uvicorn's own: the app believes X-Forwarded-For only from
# DJANGO_TRUSTED_PROXIES (consent.network).
CMD ["uvicorn", "contactcenter.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", "--ws-per-message-deflate", "false", "--no-proxy-headers"]
