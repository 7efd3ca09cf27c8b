"""`pmtool db check`: does the database open, is it intact, is it at our schema?"""

from __future__ import annotations

import sqlite3
from typing import Any

from pmtool.core.errors import PmError
from pmtool.storage import schema
from pmtool.storage import sqlite as sqlite_files
from pmtool.storage.gateway import verify_audit_chain
from pmtool.storage.location import DatabaseLocation
from pmtool.storage.reader import open_reader


def check_database(location: DatabaseLocation) -> dict[str, Any]:
    report: dict[str, Any] = {
        "ok": False,
        "database": location.describe(),
        "schema": None,
        "expected_schema": schema.HEAD_REVISION,
        "problem": None,
    }
    if location.path is not None:
        try:
            connection = sqlite_files.connect(location.path)
        except PmError as error:
            report["problem"] = str(error)
            return report
        try:
            report["schema"] = sqlite_files.read_revision(connection)
            report["integrity"] = connection.execute("PRAGMA quick_check").fetchone()[0]
            report["journal_mode"] = connection.execute("PRAGMA journal_mode").fetchone()[0]
            report["foreign_key_errors"] = len(
                connection.execute("PRAGMA foreign_key_check").fetchall()
            )
            report["size_bytes"] = location.path.stat().st_size
            report["file_mode"] = oct(location.path.stat().st_mode & 0o777)
        except sqlite3.DatabaseError as error:
            report["problem"] = str(sqlite_files.translate_error(error, location.path))
            return report
        finally:
            connection.close()
        if report["integrity"] != "ok":
            report["problem"] = f"integrity check failed: {report['integrity']}"
            return report
        if report["foreign_key_errors"]:
            report["problem"] = f"{report['foreign_key_errors']} rows point at missing rows"
            return report
    try:
        reader = open_reader(location)
    except PmError as error:
        report["problem"] = str(error)
        return report
    try:
        report["schema"] = schema.HEAD_REVISION
        report["projects"] = reader.tuples("SELECT COUNT(*) FROM project")[0][0]
        report["tasks"] = reader.tuples("SELECT COUNT(*) FROM v_task")[0][0]
        report["audit_rows"] = reader.tuples("SELECT COUNT(*) FROM audit")[0][0]
        report["chain_checked"], tampered = verify_audit_chain(reader)
    finally:
        reader.close()
    if tampered:
        report["problem"] = f"the audit trail was tampered with: {tampered}"
        return report
    report["ok"] = True
    return report
