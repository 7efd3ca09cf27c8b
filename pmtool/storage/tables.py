"""The write gateway's view of the schema: tables, columns, kinds and audit rules.

SQLModel (``pmtool/models/``) is the one declaration of the schema; this registry is
what the gateway needs of it, in plain Python so that writes never import the ORM.
``tests/test_gateway.py`` proves it matches the models column for column, and that
every table is either registered here or named in ``UNAUDITED_TABLES``.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

# How a column's values travel between Python, the database and the audit trail.
Kind = Literal["int", "float", "bool", "text", "date", "datetime"]


class Table(NamedTuple):
    name: str  # SQL table name
    entity: str  # the name in the audit trail (audit.entity)
    key: str  # primary-key column
    generated_key: bool  # the database assigns the key (an autoincrement id)
    kinds: dict[str, Kind]  # every column, the key and ``version`` included
    # Columns that change as a side effect and carry no history of their own.
    unaudited: frozenset[str] = frozenset({"updated_at", "version"})
    # Personal data (GDPR): sealed in the trail with the person's key (storage/personal.py).
    personal: frozenset[str] = frozenset()

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.kinds)


PROJECT = Table(
    "project",
    "project",
    "id",
    True,
    {
        "id": "int",
        "key": "text",
        "name": "text",
        "description": "text",
        "definition_of_done": "text",
        "next_task_number": "int",
        "created_at": "datetime",
        "archived_at": "datetime",
        "version": "int",
    },
    frozenset({"updated_at", "next_task_number", "version"}),
)
WORKFLOW_COLUMN = Table(
    "workflow_column",
    "column",
    "id",
    True,
    {
        "id": "int",
        "project_id": "int",
        "name": "text",
        "position": "int",
        "wip_limit": "int",
        "is_done": "bool",
        "version": "int",
    },
)
MEMBER = Table(
    "member",
    "member",
    "id",
    True,
    {
        "id": "int",
        "name": "text",
        "email": "text",
        "role": "text",
        "created_at": "datetime",
        "version": "int",
    },
    personal=frozenset({"email"}),
)
SPRINT = Table(
    "sprint",
    "sprint",
    "id",
    True,
    {
        "id": "int",
        "project_id": "int",
        "name": "text",
        "goal": "text",
        "start_date": "date",
        "end_date": "date",
        "capacity": "int",
        "status": "text",
        "started_at": "datetime",
        "closed_at": "datetime",
        "created_at": "datetime",
        "version": "int",
    },
)
TASK = Table(
    "task",
    "task",
    "id",
    True,
    {
        "id": "int",
        "project_id": "int",
        "number": "int",
        "title": "text",
        "description": "text",
        "type": "text",
        "status": "text",
        "priority": "text",
        "points": "int",
        "assignee_id": "int",
        "due_date": "date",
        "parent_id": "int",
        "sprint_id": "int",
        "labels": "text",
        "rank": "float",
        "created_at": "datetime",
        "updated_at": "datetime",
        "deleted_at": "datetime",
        "version": "int",
    },
)
SETTING = Table(
    "setting",
    "setting",
    "key",
    False,
    {"key": "text", "value": "text", "version": "int"},
)

TABLES: dict[str, Table] = {
    table.name: table for table in (PROJECT, WORKFLOW_COLUMN, MEMBER, SPRINT, TASK, SETTING)
}
BY_ENTITY: dict[str, Table] = {table.entity: table for table in TABLES.values()}

# Written by the gateway itself (the trail), or by Alembic.
UNAUDITED_TABLES = frozenset({"command", "audit", "alembic_version"})

# --- approvals (issue 8) ------------------------------------------------------------------
APPROVAL = Table(
    "approval",
    "approval",
    "id",
    True,
    {
        "id": "int",
        "project_id": "int",
        "kind": "text",
        "title": "text",
        "body": "text",
        "reference": "text",
        "applicant": "text",
        "status": "text",
        "submitted_on": "date",
        "decided_on": "date",
        "valid_from": "date",
        "valid_until": "date",
        "next_report_due": "date",
        "documents": "text",
        "legal_basis": "text",
        "data_form": "text",
        "dpo_consulted_on": "date",
        "notes": "text",
        "created_at": "datetime",
        "updated_at": "datetime",
        "version": "int",
    },
)
APPROVAL_CONDITION = Table(
    "approval_condition",
    "approval_condition",
    "id",
    True,
    {
        "id": "int",
        "approval_id": "int",
        "number": "int",
        "text": "text",
        "due_date": "date",
        "status": "text",
        "evidence": "text",
        "met_on": "date",
        "created_at": "datetime",
        "version": "int",
    },
)
APPROVAL_AMENDMENT = Table(
    "approval_amendment",
    "approval_amendment",
    "id",
    True,
    {
        "id": "int",
        "approval_id": "int",
        "number": "int",
        "summary": "text",
        "status": "text",
        "submitted_on": "date",
        "decided_on": "date",
        "created_at": "datetime",
        "version": "int",
    },
)
APPROVAL_INCIDENT = Table(
    "approval_incident",
    "approval_incident",
    "id",
    True,
    {
        "id": "int",
        "approval_id": "int",
        "occurred_on": "date",
        "kind": "text",
        "summary": "text",
        "reported_on": "date",
        "created_at": "datetime",
        "version": "int",
    },
)
TASK_APPROVAL = Table(
    "task_approval",
    "task_approval",
    "id",
    True,
    {"id": "int", "task_id": "int", "approval_id": "int", "version": "int"},
)
for _table in (APPROVAL, APPROVAL_CONDITION, APPROVAL_AMENDMENT, APPROVAL_INCIDENT, TASK_APPROVAL):
    TABLES[_table.name] = _table
    BY_ENTITY[_table.entity] = _table

# --- Theses ------------------------------------------------------------------------------
THESIS = Table(
    "thesis",
    "thesis",
    "id",
    True,
    {
        "id": "int",
        "student": "text",
        "title": "text",
        "research_question": "text",
        "programme": "text",
        "cohort": "text",
        "first_examiner": "text",
        "second_examiner": "text",
        "external_supervisor": "text",
        "company": "text",
        "project_id": "int",
        "repository_path": "text",
        "confidential_until": "date",
        "registered_on": "date",
        "start_date": "date",
        "weeks": "int",
        "extension_weeks": "int",
        "deadline": "date",
        "defence_on": "date",
        "template": "text",
        "status": "text",
        "created_at": "datetime",
        "updated_at": "datetime",
        "version": "int",
    },
)
THESIS_MILESTONE = Table(
    "thesis_milestone",
    "thesis_milestone",
    "id",
    True,
    {
        "id": "int",
        "thesis_id": "int",
        "position": "int",
        "code": "text",
        "title": "text",
        "due_date": "date",
        "done_on": "date",
        "needs": "text",
        "version": "int",
    },
)
THESIS_DEPENDENCY = Table(
    "thesis_milestone_dependency",
    "thesis_dependency",
    "id",
    True,
    {"id": "int", "milestone_id": "int", "depends_on_id": "int", "version": "int"},
)
THESIS_MEETING = Table(
    "thesis_meeting",
    "thesis_meeting",
    "id",
    True,
    {
        "id": "int",
        "thesis_id": "int",
        "held_on": "date",
        "attendees": "text",
        "notes": "text",
        "decisions": "text",
        "next_on": "date",
        "created_at": "datetime",
        "version": "int",
    },
)
THESIS_ACTION = Table(
    "thesis_action",
    "thesis_action",
    "id",
    True,
    {
        "id": "int",
        "meeting_id": "int",
        "text": "text",
        "assignee": "text",
        "task_id": "int",
        "version": "int",
    },
)
for _table in (THESIS, THESIS_MILESTONE, THESIS_DEPENDENCY, THESIS_MEETING, THESIS_ACTION):
    TABLES[_table.name] = _table
    BY_ENTITY[_table.entity] = _table


# -- Clinical partners (docs/partners.md) ------------------------------------------------
PARTNER = Table(
    "partner",
    "partner",
    "id",
    True,
    {
        "id": "int",
        "name": "text",
        "type": "text",
        "notes": "text",
        "created_at": "datetime",
        "version": "int",
    },
)
STAKEHOLDER = Table(
    "stakeholder",
    "stakeholder",
    "id",
    True,
    {
        "id": "int",
        "name": "text",
        "partner_id": "int",
        "role": "text",
        "email": "text",
        "phone": "text",
        "power": "int",
        "interest": "int",
        "attitude": "text",
        "engagement_current": "text",
        "engagement_desired": "text",
        "notes": "text",
        "forgotten_at": "datetime",
        "created_at": "datetime",
        "version": "int",
    },
    personal=frozenset({"name", "role", "email", "phone", "notes"}),
)
STAKEHOLDER_PROJECT = Table(
    "stakeholder_project",
    "stakeholder_link",
    "id",
    True,
    {
        "id": "int",
        "stakeholder_id": "int",
        "project_id": "int",
        "role": "text",
        "version": "int",
    },
)
CONTACT = Table(
    "contact",
    "contact",
    "id",
    True,
    {
        "id": "int",
        "stakeholder_id": "int",
        "project_id": "int",
        "kind": "text",
        "on_date": "date",
        "summary": "text",
        "decisions": "text",
        "follow_up": "date",
        "follow_up_done": "bool",
        "follow_up_task_id": "int",
        "created_at": "datetime",
        "version": "int",
    },
)
AGREEMENT = Table(
    "agreement",
    "agreement",
    "id",
    True,
    {
        "id": "int",
        "partner_id": "int",
        "project_id": "int",
        "kind": "text",
        "title": "text",
        "status": "text",
        "signed_on": "date",
        "valid_until": "date",
        "document": "text",
        "terminated_on": "date",
        "created_at": "datetime",
        "version": "int",
    },
)
for _table in (PARTNER, STAKEHOLDER, STAKEHOLDER_PROJECT, CONTACT, AGREEMENT):
    TABLES[_table.name] = _table
    BY_ENTITY[_table.entity] = _table
# The keys that seal personal values in the trail: never audited (forget deletes them).
UNAUDITED_TABLES = UNAUDITED_TABLES | {"personal_key"}

# --- Compliance (issue 12) -------------------------------------------------------------
COMPLIANCE_PROFILE = Table(
    "compliance_profile",
    "compliance_profile",
    "id",
    True,
    {
        "id": "int",
        "project_id": "int",
        "intended_purpose": "text",
        "ai_act_role": "text",
        "ai_act_tier": "text",
        "ai_act_reason": "text",
        "iec62304_class": "text",
        "iec62304_reason": "text",
        "created_at": "datetime",
        "updated_at": "datetime",
        "version": "int",
    },
)
COMPLIANCE_CLASSIFICATION = Table(
    "compliance_classification",
    "compliance_classification",
    "id",
    True,
    {
        "id": "int",
        "project_id": "int",
        "rule": "text",
        "answers": "text",
        "result": "text",
        "rationale": "text",
        "classified_at": "datetime",
        "version": "int",
    },
)
COMPLIANCE_TEMPLATE = Table(
    "compliance_template",
    "compliance_template",
    "id",
    True,
    {
        "id": "int",
        "name": "text",
        "title": "text",
        "source_file": "text",
        "content": "text",
        "added_at": "datetime",
        "version": "int",
    },
)
COMPLIANCE_CHECKLIST = Table(
    "compliance_checklist",
    "compliance_checklist",
    "id",
    True,
    {
        "id": "int",
        "project_id": "int",
        "thesis_id": "int",
        "template": "text",
        "title": "text",
        "kind": "text",
        "source": "text",
        "template_version": "text",
        "applies_from": "date",
        "created_at": "datetime",
        "version": "int",
    },
)
COMPLIANCE_ITEM = Table(
    "compliance_item",
    "compliance_item",
    "id",
    True,
    {
        "id": "int",
        "checklist_id": "int",
        "position": "int",
        "number": "text",
        "section": "text",
        "label": "text",
        "status": "text",
        "owner_id": "int",
        "evidence": "text",
        "evidence_kind": "text",
        "na_reason": "text",
        "due_date": "date",
        "in_dod": "bool",
        "done_at": "datetime",
        "updated_at": "datetime",
        "version": "int",
    },
)
COMPLIANCE_ITEM_TASK = Table(
    "compliance_item_task",
    "compliance_item_task",
    "id",
    True,
    {"id": "int", "item_id": "int", "task_id": "int", "version": "int"},
)
for _compliance_table in (
    COMPLIANCE_PROFILE,
    COMPLIANCE_CLASSIFICATION,
    COMPLIANCE_TEMPLATE,
    COMPLIANCE_CHECKLIST,
    COMPLIANCE_ITEM,
    COMPLIANCE_ITEM_TASK,
):
    TABLES[_compliance_table.name] = _compliance_table
    BY_ENTITY[_compliance_table.entity] = _compliance_table

# Imports (exports area): where each imported task came from.
IMPORT_RECORD = Table(
    "import_record",
    "import_record",
    "id",
    True,
    {
        "id": "int",
        "project_id": "int",
        "source": "text",
        "source_id": "text",
        "task_id": "int",
        "imported_at": "datetime",
        "version": "int",
    },
)
TABLES[IMPORT_RECORD.name] = IMPORT_RECORD
BY_ENTITY[IMPORT_RECORD.entity] = IMPORT_RECORD

# -- git sync (pmtool/services/gitsync.py) --------------------------------------------
GIT_REPOSITORY = Table(
    "git_repository",
    "git_repository",
    "id",
    True,
    {
        "id": "int",
        "project_id": "int",
        "path": "text",
        "default_branch": "text",
        "done_on_merge": "bool",
        "hash_refs": "bool",
        "created_at": "datetime",
        "unlinked_at": "datetime",
        "version": "int",
    },
)
GIT_BRANCH_STATE = Table(
    "git_branch_state",
    "git_branch",
    "id",
    True,
    {
        "id": "int",
        "repository_id": "int",
        "name": "text",
        "tip_sha": "text",
        "base_sha": "text",
        "merged_at": "datetime",
        "synced_at": "datetime",
        "version": "int",
    },
    # The time of each sync is in git_sync; the tip is the state undo puts back.
    frozenset({"synced_at", "version"}),
)
GIT_SYNC = Table(
    "git_sync",
    "git_sync",
    "id",
    True,
    {
        "id": "int",
        "repository_id": "int",
        "at": "datetime",
        "commits": "int",
        "links": "int",
        "applied": "int",
        "refused": "int",
        "unknown_refs": "text",
        "version": "int",
    },
)
GIT_TRANSITION = Table(
    "git_transition",
    "git_transition",
    "id",
    True,
    {
        "id": "int",
        "repository_id": "int",
        "task_id": "int",
        "sha": "text",
        "patch_id": "text",
        "fingerprint": "text",
        "status": "text",
        "outcome": "text",
        "reason": "text",
        "at": "datetime",
        "version": "int",
    },
    # What a sync decided is in the trail (task, status, outcome); the rest is detail
    # of the commit that undo and redo keep with the row.
    frozenset({"sha", "patch_id", "fingerprint", "reason", "at", "repository_id", "version"}),
)
for _table in (GIT_REPOSITORY, GIT_BRANCH_STATE, GIT_SYNC, GIT_TRANSITION):
    TABLES[_table.name] = _table
    BY_ENTITY[_table.entity] = _table

# Facts read in bulk from outside (tens of thousands of git commits per sync): written
# by Gateway.insert_facts without audit rows, never updated by a command, and read
# again idempotently (a row that exists is left alone).
FACT_TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        Table(
            "git_commit",
            "git_commit",
            "id",
            True,
            {
                "id": "int",
                "repository_id": "int",
                "sha": "text",
                "author": "text",
                "member_id": "int",
                "committed_at": "datetime",
                "subject": "text",
                "branch": "text",
                "on_default": "bool",
            },
        ),
        Table(
            "git_commit_task",
            "git_commit_task",
            "id",
            True,
            {
                "id": "int",
                "repository_id": "int",
                "sha": "text",
                "task_id": "int",
                "keyword": "text",
            },
        ),
    )
}
UNAUDITED_TABLES = UNAUDITED_TABLES | frozenset(FACT_TABLES)
