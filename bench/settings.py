"""Benchmark-only settings: the product's settings plus the two baseline views' URLs (bench/urls.py)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
