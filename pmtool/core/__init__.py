"""Words, values, dates, keys and errors: the standard-library base every layer shares.

Nothing here imports anything else from pmtool (an import-linter contract keeps it so),
so the read path, the write gateway, the services and both interfaces can use it
without pulling in a framework.
"""
