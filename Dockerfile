FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 LOYAL_VAR_DIR=/var/lib/loyal
WORKDIR /app
COPY pyproject.toml requirements.lock ./
COPY crm crm
COPY org org
COPY prospects prospects
COPY consent consent
COPY outreach outreach
COPY registry registry
COPY webforms webforms
COPY bench bench
# The versions that the tests ran on and bin/audit checks (requirements.lock), not the newest.
RUN pip install --no-cache-dir -c requirements.lock .
COPY . .
# Static files with the production storage (hashed names and their manifest), DEBUG off, and no
# secret in the image: LOYAL_STATIC_BUILD gives this one command throwaway keys (README).
RUN LOYAL_STATIC_BUILD=1 python manage.py collectstatic --noinput
RUN useradd --system loyal && mkdir -p /var/lib/loyal && chown -R loyal /var/lib/loyal
USER loyal
EXPOSE 8000
CMD ["gunicorn", "crm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
