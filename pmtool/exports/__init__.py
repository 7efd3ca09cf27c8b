"""The heavy side of exports, reports, imports and the forecast: openpyxl, Jinja2, pandas.

Each module here imports its library at the top, and is itself imported only by the
commands that need it (`export --format xlsx`, `report`, `import`, `forecast`), so
`export --format csv` and every other command never pay for them
(tests/test_gateway.py checks the modules each command loads).
"""
