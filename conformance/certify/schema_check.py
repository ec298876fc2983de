"""A small JSON Schema checker: the subset schemas/*.schema.json use, so no new dependency.

Supported: type (one or a list), enum, const, required, properties, additionalProperties
(boolean or schema), patternProperties, items, minimum, maximum, minLength, pattern, and
`$ref` to `#/$defs/NAME`. Anything else in a schema is an error here, not silently ignored,
so the checker can never pass a document because it skipped a keyword.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,), "null": (type(None),),
    "integer": (int,), "number": (int, float),
}
_ANNOTATIONS = {"$schema", "$id", "$comment", "title", "description", "examples", "default", "$defs", "format"}
_KEYWORDS = {"type", "enum", "const", "required", "properties", "additionalProperties", "patternProperties", "items",
             "minimum", "maximum", "minLength", "pattern", "$ref"}


def _is_type(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name in ("integer", "number"):
        return False  # JSON booleans are not numbers, though Python's bool is an int
    return isinstance(value, _TYPES[name])


def validation_errors(instance: Any, schema: Mapping[str, Any], root: Mapping[str, Any] | None = None,
                      where: str = "$") -> list[str]:
    """Every way `instance` breaks `schema`, as `path: problem` lines; empty means valid."""
    root = schema if root is None else root
    unknown = set(schema) - _KEYWORDS - _ANNOTATIONS
    if unknown:
        return [f"{where}: schema keyword(s) {sorted(unknown)} not supported by this checker"]
    if "$ref" in schema:
        name = str(schema["$ref"]).removeprefix("#/$defs/")
        return validation_errors(instance, root["$defs"][name], root, where)
    errors: list[str] = []
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else list(types)
        if not any(_is_type(instance, n) for n in names):
            return [f"{where}: expected {' or '.join(names)}, got {type(instance).__name__}"]
    if "enum" in schema and instance not in schema["enum"]:
        errors.append(f"{where}: {instance!r} is not one of {schema['enum']}")
    if "const" in schema and instance != schema["const"]:
        errors.append(f"{where}: must be {schema['const']!r}")
    if isinstance(instance, str):
        if len(instance) < schema.get("minLength", 0):
            errors.append(f"{where}: shorter than {schema['minLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], instance):
            errors.append(f"{where}: {instance!r} does not match {schema['pattern']}")
    if _is_type(instance, "number"):
        if "minimum" in schema and instance < schema["minimum"]:
            errors.append(f"{where}: below {schema['minimum']}")
        if "maximum" in schema and instance > schema["maximum"]:
            errors.append(f"{where}: above {schema['maximum']}")
    if isinstance(instance, list) and "items" in schema:
        for index, item in enumerate(instance):
            errors += validation_errors(item, schema["items"], root, f"{where}[{index}]")
    if isinstance(instance, dict):
        errors += _object_errors(instance, schema, root, where)
    return errors


def _object_errors(instance: Mapping[str, Any], schema: Mapping[str, Any], root: Mapping[str, Any],
                   where: str) -> list[str]:
    errors = [f"{where}: missing required member {name!r}"
              for name in schema.get("required", ()) if name not in instance]
    properties: Mapping[str, Any] = schema.get("properties", {})
    patterns: Mapping[str, Any] = schema.get("patternProperties", {})
    extra = schema.get("additionalProperties", True)
    for name, value in instance.items():
        matched = False
        if name in properties:
            matched = True
            errors += validation_errors(value, properties[name], root, f"{where}.{name}")
        for pattern, subschema in patterns.items():
            if re.search(pattern, name):
                matched = True
                errors += validation_errors(value, subschema, root, f"{where}.{name}")
        if not matched:
            if extra is False:
                errors.append(f"{where}: unexpected member {name!r}")
            elif isinstance(extra, dict):
                errors += validation_errors(value, extra, root, f"{where}.{name}")
    return errors
