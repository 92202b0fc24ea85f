"""Editing `Pulumi.<stack>.yaml` in place: only the edited values change, byte for byte.

A YAML library that re-emits the whole document reflows what it did not touch (ruamel re-wraps
multi-line flow lists, for one), so edits are made on the text: ruamel's composer gives every
node's start and end offsets, each edit replaces one value's span (or inserts one line), and
everything else is copied as it was. Values are written in flow style on the key's line (lists
wrap under their first item, as the stack files do) or, for lists of mappings, as a block.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from aeon.errors import UserError

WIDTH = 100
PLAIN = re.compile(r"^[a-z][a-z0-9._/-]*$")
RESERVED = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"})

PathPart = str | int


def scalar_text(value: Any) -> str:
    """A YAML scalar that reads back as the same Python value (quoted when it could be misread)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    if PLAIN.match(text) and text not in RESERVED:
        return text
    return json.dumps(text)


def flow_text(value: Any, column: int = 0, width: int = WIDTH) -> str:
    """Flow style starting at `column`; a list too long for the line wraps, its items aligned
    under the first (nested lists wrap the same way inside their own bracket)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar_text(k)}: {flow_text(v)}" for k, v in value.items()) + "}"
    if not isinstance(value, (list, tuple)):
        return scalar_text(value)
    if not value:
        return "[]"
    indent = column + 1
    out, pos = "[", indent
    for i, item in enumerate(value):
        tail = "," if i < len(value) - 1 else "]"
        if i:
            piece = flow_text(item, pos + 1, width) + tail
            if pos + 1 + len(piece.split("\n")[0]) > width:
                out, pos = out + "\n" + " " * indent, indent
                piece = flow_text(item, pos, width) + tail
            else:
                out, pos = out + " ", pos + 1
        else:
            piece = flow_text(item, pos, width) + tail
        out += piece
        last = piece.rsplit("\n", 1)[-1]
        pos = len(last) if "\n" in piece else pos + len(piece)
    return out


def block_text(value: Any, indent: int) -> str:
    """Block style for mappings and lists of mappings (one key a line); the leaves in flow style.
    Lines carry no trailing newline; the first line starts at `indent` like the others."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, val in value.items():
            head = f"{pad}{scalar_text(key)}:"
            if _is_block(val):
                lines += [head, block_text(val, indent + 2)]
            else:
                lines.append(f"{head} {flow_text(val, len(head) + 1)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                inner = block_text(item, indent + 2).splitlines()
                lines += [f"{pad}- {inner[0][indent + 2 :]}", *inner[1:]]
            else:
                lines.append(f"{pad}- {flow_text(item, indent + 2)}")
    return "\n".join(lines)


def _is_block(value: Any) -> bool:
    """Mappings holding collections, and non-empty lists of mappings, read better as blocks."""
    if isinstance(value, dict):
        return any(isinstance(v, (dict, list)) and v for v in value.values())
    return isinstance(value, list) and any(isinstance(v, dict) for v in value)


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str


class StackFileText:
    """The text of a stack file plus the edits to make on it; `render()` gives the new text."""

    def __init__(self, text: str, path: Path | None = None) -> None:
        self.text = text
        self.path = path
        try:
            self.root = YAML(typ="rt").compose(text)
        except Exception as exc:  # ruamel's errors have no common public base worth naming
            raise UserError(f"{path or 'stack file'}: not valid YAML: {exc}") from None
        if not isinstance(self.root, MappingNode):
            raise UserError(f"{path or 'stack file'}: expected a mapping at the top level")
        self._edits: list[_Edit] = []

    # --- finding nodes -----------------------------------------------------------------------

    def node(self, path: Iterable[PathPart]) -> Node | None:
        node: Node | None = self.root
        for part in path:
            node = _child(node, part)
            if node is None:
                return None
        return node

    def _key_value(self, path: Sequence[PathPart]) -> tuple[ScalarNode, Node] | None:
        parent = self.node(path[:-1])
        if not isinstance(parent, MappingNode):
            return None
        for key, value in parent.value:
            if isinstance(key, ScalarNode) and key.value == path[-1]:
                return key, value
        return None

    # --- edits -------------------------------------------------------------------------------

    def set(self, path: Sequence[PathPart], value: Any) -> None:
        """Replace the value at `path` (its mapping must exist); add the key when it is absent."""
        found = self._key_value(path)
        if found is None:
            self._insert(path, value)
            return
        key, old = found
        colon = self.text.index(":", key.end_mark.index)
        start, end = colon + 1, _span_end(old)
        if _same_value(self.text[start:end], value):
            return  # already so: keep the text as written (its wrapping, its quotes)
        parent = self.node(path[:-1])
        if _is_block(value) and not getattr(parent, "flow_style", False):
            new = "\n" + block_text(value, key.start_mark.column + 2)
        else:
            new = " " + flow_text(value, key.start_mark.column + len(str(key.value)) + 2)
        if self.text[start:end] != new:
            self._edits.append(_Edit(start, end, new))

    def _insert(self, path: Sequence[PathPart], value: Any) -> None:
        parent = self.node(path[:-1])
        if isinstance(parent, MappingNode) and parent.flow_style and not _is_block(value):
            # `{a: 1}` -> `{a: 1, key: value}`: inserted before the closing brace
            at = parent.end_mark.index - 1
            pair = f"{scalar_text(path[-1])}: {flow_text(value)}"
            self._edits.append(_Edit(at, at, (", " if parent.value else "") + pair))
            return
        if not isinstance(parent, MappingNode) or not parent.value or parent.flow_style:
            raise ValueError(
                f"cannot add {'.'.join(map(str, path))}: no block mapping to add it to"
            )
        first_key = parent.value[0][0]
        indent = first_key.start_mark.column
        at = _line_end(self.text, _span_end(parent.value[-1][1]))
        key = str(path[-1])
        if _is_block(value):
            body = "\n" + block_text(value, indent + 2)
        else:
            body = " " + flow_text(value, indent + len(key) + 2)
        text = f"\n{' ' * indent}{scalar_text(key)}:{body}"
        self._edits.append(_Edit(at, at, text))

    @property
    def changed(self) -> bool:
        return bool(self._edits)

    def render(self) -> str:
        out = self.text
        # from the end backwards; insertions at one place keep the order they were made in
        ordered = sorted(enumerate(self._edits), key=lambda p: (p[1].start, p[0]), reverse=True)
        for _, edit in ordered:
            out = out[: edit.start] + edit.text + out[edit.end :]
        return out


def _same_value(text: str, value: Any) -> bool:
    try:
        return YAML(typ="safe").load(text) == value
    except Exception:
        return False


def _child(node: Node | None, part: PathPart) -> Node | None:
    if isinstance(node, MappingNode) and isinstance(part, str):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == part:
                return value
    if isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part]
    return None


def _span_end(node: Node) -> int:
    """Where a value's own text ends: flow and scalar nodes know it; a block collection ends
    where its last item does (its end mark would swallow the comments before the next key)."""
    if isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        return _span_end(last[1] if isinstance(node, MappingNode) else last)
    return node.end_mark.index


def _line_end(text: str, index: int) -> int:
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline


def pool_index(doc: StackFileText, config_key: str, name: str) -> int | None:
    return item_index(doc, ["config", config_key], name)


def item_index(doc: StackFileText, path: Sequence[PathPart], name: str) -> int | None:
    """Index of the item whose `name` is `name` in the list at `path` (None: no such item)."""
    items = doc.node(path)
    if not isinstance(items, SequenceNode):
        return None
    for i, item in enumerate(items.value):
        value = _child(item, "name")
        if isinstance(value, ScalarNode) and value.value == name:
            return i
    return None
