"""Load benchmarks run by ``make bench`` (see README.md beside this file).

Nothing here is imported by the application unless ``settings.BENCH_VIEWS`` is on, which
routes ``/bench/…`` to ``bench/urls.py``.
"""
