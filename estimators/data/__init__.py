"""Schemas, loaders and validation: the one door through which data enters.

Every reader accepts a path to a CSV file or a ``pandas.DataFrame`` and returns a typed,
validated table. Any bad value raises `DataValidationError` naming the file, row, column,
the value and what was expected; nothing is dropped, clipped or coerced silently.

One module per kind of table: `tables` (the shared machinery: the error, `Column`,
`parse_table`), `figures` (published figures), `incidents` (incident tables, monitor
exports, per-grade summaries), `airwars` (Airwars' own export and its quirks),
`site_samples`, `named_lists` (lists of named victims, before linkage),
`capture_histories` (linked lists as patterns) and `source_counts`.
This layer imports no estimator.
"""

from __future__ import annotations

from .capture_histories import CAPTURE_COUNT_COLUMN, patterns, read_capture_histories
from .figures import (
    FIGURE_KINDS,
    FIGURE_UNITS,
    GRADES,
    PUBLISHED_FIGURES_SCHEMA,
    QUALIFIERS,
    read_published_figures,
    select_figures,
)
from .incidents import (
    ASSESSMENTS,
    GRADE_SUMMARY_MARK,
    GRADE_SUMMARY_SCHEMA,
    INCIDENTS_MARK,
    INCIDENTS_SCHEMA,
    MONITOR_EXPORT_COLUMNS,
    is_validated_incidents,
    parse_range_text,
    read_grade_summary,
    read_incidents,
    read_monitor_export,
)
from .named_lists import NAMED_LIST_ROLES, read_named_list
from .site_samples import SITE_SAMPLE_SCHEMA, read_site_sample
from .source_counts import (
    DUPLICATE_TOLERANCE,
    LOWER_BOUND_KINDS,
    MONITOR_KINDS,
    SOURCE_COUNTS_SCHEMA,
    SOURCE_KINDS,
    read_source_counts,
)
from .tables import MAX_COUNT, Column, DataValidationError, format_count, parse_table, refuse_file

__all__ = [
    "DataValidationError", "Column", "parse_table", "MAX_COUNT", "format_count", "refuse_file",
    "read_published_figures", "PUBLISHED_FIGURES_SCHEMA", "QUALIFIERS", "FIGURE_KINDS",
    "FIGURE_UNITS", "GRADES", "select_figures",
    "ASSESSMENTS", "INCIDENTS_SCHEMA", "INCIDENTS_MARK", "read_incidents", "is_validated_incidents",
    "read_monitor_export", "MONITOR_EXPORT_COLUMNS", "parse_range_text",
    "GRADE_SUMMARY_SCHEMA", "GRADE_SUMMARY_MARK", "read_grade_summary",
    "read_site_sample", "SITE_SAMPLE_SCHEMA",
    "read_capture_histories", "CAPTURE_COUNT_COLUMN", "patterns",
    "read_named_list", "NAMED_LIST_ROLES",
    "SOURCE_KINDS", "LOWER_BOUND_KINDS", "MONITOR_KINDS", "DUPLICATE_TOLERANCE",
    "SOURCE_COUNTS_SCHEMA", "read_source_counts",
]
