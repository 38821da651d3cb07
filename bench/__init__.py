"""The benchmark: a realistic database, a production-like server, and load from outside it.

`make bench` runs `python -m bench.run`, which drops and builds its own PostgreSQL database
(`bench.build_data`), serves it with gunicorn, drives every endpoint with wrk
(`bench/load.lua`) and writes the figures into docs/PERFORMANCE.md (`bench.report`).
"""
