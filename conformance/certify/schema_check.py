"""Validate a document against one of schemas/*.schema.json with the `jsonschema` library.

The schema's own `$schema` picks the draft (2020-12 for ours); the schema is checked first, so
a typo in a keyword is an error here instead of a keyword silently ignored. Errors read
`$.json.path: message`, sorted, so a test or a log line can name exactly what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from jsonschema import validators
from jsonschema.exceptions import SchemaError

from conformance.certify.provenance import REPO_ROOT

SCHEMAS_DIR = REPO_ROOT / "schemas"
CERTIFICATION_SUMMARY_SCHEMA = "certification-summary.schema.json"


@cache
def _schema_file(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS_DIR / name).read_text(encoding="utf-8"))
    return loaded


def certification_summary_schema() -> dict[str, Any]:
    return _schema_file(CERTIFICATION_SUMMARY_SCHEMA)


def validation_errors(instance: Any, schema: Mapping[str, Any]) -> list[str]:
    """Every way `instance` breaks `schema`, as `path: problem` lines; empty means valid."""
    validator_class = validators.validator_for(schema)
    try:
        validator_class.check_schema(dict(schema))
    except SchemaError as error:
        return [f"the schema itself is invalid at {error.json_path}: {error.message}"]
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    return sorted(f"{error.json_path}: {error.message}" for error in validator.iter_errors(instance))
