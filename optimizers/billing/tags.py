"""The value of one resource tag, as each engine and export spells it.

FOCUS keeps tags in one `Tags` column (a JSON object in CSV, a map in Parquet and Glue); the
legacy CUR in one column per tag (`resourceTags/user:KEY`); CUR 2.0 in the `resource_tags` map,
keys `user_KEY`. DuckDB and Athena (Trino) name their JSON and map functions differently, so each
engine builds its own expression; the SQL files take it as `{tag_expr}`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from optimizers.billing.errors import BillingInputError
from optimizers.billing.formats import Layout, legacy_cur_name

TAG_KEY = re.compile(r"^[\w.:/=+\-@ ]{1,128}$")  # AWS tag key characters
NULL = "CAST(NULL AS VARCHAR)"


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _checked(key: str) -> str:
    if not TAG_KEY.match(key):
        raise BillingInputError(f"{key!r} is not an AWS tag key (letters, digits, _.:/=+-@)")
    return key


def _json_path(key: str) -> str:
    return _text('$."' + key.replace('"', '\\"') + '"')


def _map_value(column: str, key: str, engine: str) -> str:
    return f"element_at({column}, {key})" if engine == "athena" else f"{column}[{key}]"


def _json_value(column: str, key: str, engine: str) -> str:
    path = _json_path(key)
    if engine == "athena":
        return f"json_extract_scalar({column}, {path})"
    return f"CASE WHEN json_valid({column}) THEN json_extract_string({column}, {path}) END"


def tag_expression(layout: Layout, column_types: Mapping[str, str], key: str, engine: str) -> str:
    """SQL for the value of tag `key` in a table with these (column -> type) columns; `engine`
    is "duckdb" or "athena"."""
    key = _checked(key)
    types = {name.lower(): (name, kind.lower()) for name, kind in column_types.items()}
    if layout.format.is_focus:
        name, kind = types.get("tags", (None, ""))
        if name is None:
            return NULL
        if kind.startswith("map"):
            return _map_value(f'"{name}"', _text(key), engine)
        return _json_value(f'"{name}"', key, engine)
    legacy = legacy_cur_name(f"resourceTags/user:{key}")
    if legacy in types:
        return f'"{types[legacy][0]}"'
    if "resource_tags" in types:  # CUR 2.0: one map, keys `user_<key>`
        user_key = "user_" + legacy.removeprefix("resource_tags_user_")
        return _map_value(f'"{types["resource_tags"][0]}"', _text(user_key), engine)
    return NULL
