# One image for every CareModel process: web (gunicorn), Celery worker and Celery beat.
# docker-compose.yml chooses the command; the settings are always the production ones.

FROM node:22-bookworm-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=caremodel.settings.production
WORKDIR /app

COPY pyproject.toml manage.py ./
COPY caremodel caremodel
COPY patients patients
COPY stratification stratification
COPY careplans careplans
COPY referrals referrals
COPY mdt mdt
COPY schemes schemes
COPY dashboards dashboards
COPY demo demo
COPY templates templates
COPY static static
COPY --from=frontend /app/node_modules node_modules
# Editable, so the settings' BASE_DIR is /app (templates, static and node_modules live here).
RUN pip install -e . \
    && DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost \
       python manage.py collectstatic --noinput \
    && useradd --system --no-create-home --uid 10001 caremodel \
    && mkdir -p /var/lib/caremodel/uploads && chown caremodel /var/lib/caremodel/uploads

USER caremodel
EXPOSE 8000
CMD ["gunicorn", "caremodel.wsgi:application", "--bind", "0.0.0.0:8000"]
