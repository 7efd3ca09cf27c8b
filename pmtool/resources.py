"""Where the shipped data folders are: inside the wheel, or at the top of a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped(folder: str) -> Path:
    installed = _PACKAGE_DIR / f"_{folder}"
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / folder


def migrations_dir() -> Path:
    """The Alembic environment (top-level ``db/`` in a checkout)."""
    return _shipped("db")


def templates_dir() -> Path:
    """Checklists and plans shipped with pmtool (top-level ``templates/``)."""
    return _shipped("templates")
