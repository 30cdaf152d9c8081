#!/usr/bin/env bash
# One-step setup of a development or CI machine (Debian/Ubuntu): system packages when missing,
# PostgreSQL + PostGIS and Redis up, .venv with the pinned requirements, database created, migrated
# and loaded with the reference data. Safe to run again: every step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."

DATABASE_URL=${DATABASE_URL:-postgis://postgres@127.0.0.1:5432/youon}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export DATABASE_URL REDIS_URL

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Debian packages ---------------------------------------------------------------------------
need=()
command -v gdal-config >/dev/null 2>&1 || need+=(gdal-bin libgdal-dev)
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql postgresql-contrib)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
command -v gcc >/dev/null 2>&1 || need+=(build-essential python3-dev)
command -v chromium >/dev/null 2>&1 || need+=(chromium)  # page tests drive a real headless browser
pg_major=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1 || true)
if [ -z "$pg_major" ] || [ ! -f "/usr/share/postgresql/${pg_major}/extension/postgis.control" ]; then
  need+=("postgresql-${pg_major:-15}-postgis-3")
fi
if [ ${#need[@]} -gt 0 ]; then
  say "installing Debian packages: ${need[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- Services -----------------------------------------------------------------------------------
read -r db_host db_port db_user db_name < <(python3 - <<'PY'
import os
from urllib.parse import urlsplit, unquote
u = urlsplit(os.environ["DATABASE_URL"])
print(u.hostname or "127.0.0.1", u.port or 5432, unquote(u.username or "postgres"), unquote(u.path.lstrip("/")))
PY
)
if ! pg_isready -q -h "$db_host" -p "$db_port"; then
  case "$db_host" in
    127.0.0.1|localhost|::1)
      say "starting PostgreSQL"
      for version in $(ls /etc/postgresql 2>/dev/null); do
        as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
      done
      for _ in $(seq 1 30); do pg_isready -q -h "$db_host" -p "$db_port" && break; sleep 1; done ;;
  esac
  pg_isready -q -h "$db_host" -p "$db_port" || { echo "PostgreSQL does not answer at $db_host:$db_port" >&2; exit 1; }
fi

read -r redis_host redis_port < <(python3 -c 'import os; from urllib.parse import urlsplit; u = urlsplit(os.environ["REDIS_URL"]); print(u.hostname or "127.0.0.1", u.port or 6379)')
if ! redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1; then
  case "$redis_host" in
    127.0.0.1|localhost|::1)
      say "starting Redis"
      as_root mkdir -p /var/lib/redis /var/log/redis
      as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$redis_port" --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/youon.log
      for _ in $(seq 1 20); do redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.5; done ;;
  esac
  redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null || { echo "Redis does not answer at $REDIS_URL" >&2; exit 1; }
fi

# --- Python environment -------------------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  python3 -m venv .venv
fi
gdal_version=$(gdal-config --version)
stamp=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)-gdal-$gdal_version
if [ "$(cat .venv/.installed 2>/dev/null)" != "$stamp" ]; then
  say "installing Python requirements"
  .venv/bin/pip install -q --upgrade pip "setuptools<70" wheel
  .venv/bin/pip install -q -r requirements-dev.txt
  # The GDAL binding must match the system libgdal: build it against it (numpy first, for gdal_array).
  .venv/bin/pip install -q --no-build-isolation "GDAL==${gdal_version}"
  echo "$stamp" > .venv/.installed
fi

# --- Database -----------------------------------------------------------------------------------
psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -h "$db_host" -p "$db_port" -U "$db_user" "$@"; }
if ! psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db_name'" | grep -q 1; then
  say "creating database $db_name"
  psql_admin -d postgres -c "CREATE DATABASE \"$db_name\""
fi
psql_admin -d "$db_name" -c "CREATE EXTENSION IF NOT EXISTS postgis"

# --- Local settings ------------------------------------------------------------------------------
# manage.py and the worker read .env (the environment wins): the README's commands work as shown.
if [ ! -f .env ]; then
  say "writing .env (local development settings)"
  cat > .env <<ENV
# Written by make setup for this machine: development settings (DEBUG on, local services).
# A deployment sets real environment variables instead (see .env.example); they win over this file.
DEBUG=1
DATABASE_URL=$DATABASE_URL
REDIS_URL=$REDIS_URL
ENV
fi

say "migrating and loading reference data"
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_reference
