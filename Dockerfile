# Production image: Debian 12 (GDAL 3.6 from Debian, the matching Python binding built against it).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends gdal-bin libgdal-dev build-essential postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir "setuptools<70" wheel \
    && pip install --no-cache-dir -r requirements.txt \
    && pip install --no-cache-dir --no-build-isolation "GDAL==$(gdal-config --version)"
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput
RUN useradd --system --home /app youon && mkdir -p /app/var && chown -R youon /app/var
USER youon
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "youon.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
