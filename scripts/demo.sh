#!/usr/bin/env bash
# The demo after `make setup`: a Celery worker imports the real Mux Energia 2024 BDGD (ANEEL, ODbL),
# the summaries are refreshed, and the site is served with a local superuser.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG=1
PY=.venv/bin/python
mkdir -p var/log
$PY -m celery -A youon worker -Q celery,ml --loglevel INFO --concurrency 2 >var/log/worker.log 2>&1 &
worker=$!
# Exports and large dispatches have a worker of their own (queues `exports`, `despacho`), so a long one
# never holds up an import.
$PY -m celery -A youon worker -Q exports,despacho --loglevel INFO --concurrency 1 --hostname exports@%h >var/log/worker-exports.log 2>&1 &
exports_worker=$!
trap 'kill $worker $exports_worker 2>/dev/null || true' EXIT
$PY manage.py demo_user
echo "==> importing the Mux Energia 2024 BDGD through the Celery worker (log: var/log/worker.log)"
$PY manage.py import_bdgd tests/fixtures/bdgd/Mux_Energia_401_2024-12-31_V11_20250806-1857.gdb.zip --async --wait || true
$PY manage.py refresh_views
echo "==> lead scores per offer (the import's chain scored them; again, to show the figures)"
$PY manage.py score_leads --distribuidora 401 --ano 2024
echo "==> load forecast: ten years of ONS hourly load (CC-BY 4.0), a model trained and gated, a week issued"
$PY manage.py import_ons forecasting/data/ons/CURVA_CARGA_20*.csv.gz >/dev/null
$PY manage.py import_inmet forecasting/data/inmet/*.CSV >/dev/null
$PY manage.py forecast_train --motivo demo || true
for day in 2024-11-18 2024-11-19 2024-11-20 2024-11-21 2024-11-22 2024-11-23 2024-11-24 2024-11-25; do
  $PY manage.py forecast_issue --dia "$day" || true
done
echo "==> http://127.0.0.1:8000/  home page (login demo / youon-demo): operations, admin, API docs"
echo "==> http://127.0.0.1:8000/admin/leads/leadbruto/  units with their best offer; a unit's page explains its scores"
echo "==> http://127.0.0.1:8000/api/v1/leads/?oferta=acl&ordering=-score_acl&page_size=20  the 20 best candidates to migrate"
# Served the way production is: gunicorn's fixed workers, each with its one persistent connection.
.venv/bin/gunicorn youon.wsgi:application --bind 127.0.0.1:8000 --workers 3 --timeout 120 --access-logfile -
