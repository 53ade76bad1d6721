"""Benchmarks: `make bench` runs bench/run.py (webhook ingest on PostgreSQL under gunicorn and wrk)."""
