"""The Textual app: dashboard, sprint board, backlog (imports Textual: TUI paths only)."""
