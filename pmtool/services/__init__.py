"""Every rule of pmtool, as plain functions taking a session (writes) or a reader (reads).

Read-side modules import only the standard library; write-side modules import the models.
"""
