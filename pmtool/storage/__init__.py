"""Where the database is, how to open it, and its schema version (no ORM imports here)."""
