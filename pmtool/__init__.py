"""pmtool: agile projects, clinical partners, approvals and theses from the terminal."""

__version__ = "0.1.0"
