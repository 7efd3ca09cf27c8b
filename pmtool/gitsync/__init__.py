"""Everything that runs git: the linked repositories are untrusted input.

Git runs as a subprocess with a fixed, hardened environment (no system config, no
hooks, no fsmonitor, no pager, local protocols only), never reading a branch, ref or
path as an option. Standard library only: a sync must not pay GitPython's import.
"""
