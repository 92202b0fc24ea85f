"""Reading a `pulumi preview --json` plan step by step, in linear time and bounded memory.

The plan is one JSON object whose `steps` list can hold hundreds of thousands of entries. The file
is read in chunks and decoded as UTF-8 on the way (a UTF-8 byte order mark accepted; anything else
is an error naming the byte offset); the object's members are walked by hand and each value (each
step, the config, the diagnostics) is decoded by the C JSON decoder on its own. Only the step being
decoded and the unread rest of the current chunk are held besides what the caller keeps.
"""

from __future__ import annotations

import codecs
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from components.facts.files import MAX_JSON_DEPTH, UnreadableFile, check_depth, check_file

CHUNK = 1 << 20
MAX_VALUE_CHARS = 64 * 1024 * 1024  # one step (or the config) larger than this is refused
_SLACK = 64
_SPACE = re.compile(r"[ \t\n\r]*")
_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


@dataclass(frozen=True)
class Member:
    """A member of the plan object: `key` and its `value`; for `steps`, one step at `index`."""

    key: str
    value: Any
    line: int | None  # None when the plan was not read from a file
    index: int | None = None


class _Text:
    """A window on the file's text: `buf[pos:]` is unread; `line` is the line at `pos`."""

    def __init__(self, handle: BinaryIO, source: str) -> None:
        self.handle = handle
        self.source = source
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.buf = ""
        self.pos = 0
        self.line = 1
        self.counted = 0  # buf[:counted] has been counted into `line`
        self.bytes_read = 0
        self.eof = False
        self.first = True

    def more(self, at_least: int = CHUNK) -> bool:
        """Append the next chunk (at least `at_least` bytes); False at the end of the file."""
        if self.eof:
            return False
        raw = self.handle.read(max(CHUNK, at_least))
        if self.first:
            self.first = False
            if raw.startswith(_BOMS):
                raise UnreadableFile(f"{self.source} is UTF-16 or UTF-32; save it as UTF-8")
            if raw.startswith(codecs.BOM_UTF8):
                raw, self.bytes_read = raw[3:], 3
        nul = raw.find(b"\0")
        if nul >= 0:
            raise UnreadableFile(
                f"{self.source} holds a NUL byte at offset {self.bytes_read + nul}: not a JSON "
                "text file"
            )
        try:
            text = self.decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            # exc.object is the decoder's pending bytes followed by this chunk.
            offset = self.bytes_read - (len(exc.object) - len(raw)) + exc.start
            raise UnreadableFile(
                f"{self.source} is not UTF-8: byte 0x{exc.object[exc.start]:02x} at offset "
                f"{offset} does not decode; save the file as UTF-8"
            ) from None
        self.bytes_read += len(raw)
        if not raw:
            self.eof = True
            return False
        self._compact()
        self.buf += text
        return True

    def _compact(self) -> None:
        if self.pos > CHUNK:
            self._count()
            self.buf = self.buf[self.pos :]
            self.counted -= self.pos
            self.pos = 0

    def _count(self) -> None:
        if self.pos > self.counted:
            self.line += self.buf.count("\n", self.counted, self.pos)
            self.counted = self.pos

    def here(self) -> int:
        self._count()
        return self.line

    def skip_space(self) -> str:
        """The next non-space character ('' at the end of the file), not consumed."""
        while True:
            self.pos = _SPACE.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def expect(self, chars: str, what: str) -> str:
        char = self.skip_space()
        if not char or char not in chars:
            found = repr(char) if char else "the end of the file"
            raise UnreadableFile(
                f"{self.source} line {self.here()}: expected {what}, found {found}"
            )
        self.pos += 1
        return char

    def value(self, decoder: json.JSONDecoder) -> Any:
        """Decode the JSON value at `pos`, reading more of the file while it is cut off."""
        self.skip_space()
        previous = sys.getrecursionlimit()
        if _LIMIT_BOUNDS_NESTING:  # raw_decode runs one frame below _frame_depth's
            sys.setrecursionlimit(_frame_depth() + MAX_JSON_DEPTH + 2)
        try:
            return self._decode(decoder)
        finally:
            sys.setrecursionlimit(previous)

    def _decode(self, decoder: json.JSONDecoder) -> Any:
        while True:
            try:
                value, end = decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # A value cut by the chunk's end fails near that end (a literal, an escape or a
                # delimiter cut short) or as an unterminated string: read on and decode again.
                cut_off = exc.pos >= len(self.buf) - _SLACK or exc.msg.startswith("Unterminated")
                if cut_off and len(self.buf) - self.pos < MAX_VALUE_CHARS:
                    # Ask for as much again as is pending: a value spanning many chunks is
                    # decoded O(log n) times, not once per chunk.
                    if self.more(len(self.buf) - self.pos):
                        continue
                line = self.here() + self.buf.count("\n", self.pos, exc.pos)
                if cut_off and not self.eof:
                    raise UnreadableFile(
                        f"{self.source} line {self.here()}: one value is larger than "
                        f"{MAX_VALUE_CHARS // (1024 * 1024)} MB"
                    ) from None
                raise UnreadableFile(
                    f"{self.source} line {line}: not valid JSON: {exc.msg}"
                ) from None
            except RecursionError:
                raise UnreadableFile(
                    f"{self.source} line {self.here()}: JSON nested deeper than {MAX_JSON_DEPTH} "
                    "levels"
                ) from None
            self.pos = end
            return value


# CPython 3.11 counts each level of JSON nesting the C decoder enters against the recursion
# limit, like a Python frame: a limit just above the current frame depth bounds the nesting at no
# cost. Later versions count C recursion apart, so there the decoded value is walked instead.
_LIMIT_BOUNDS_NESTING = sys.version_info < (3, 12)


def _frame_depth() -> int:
    frame, depth = sys._getframe(), 0
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth


def _bounded(value: Any, source: str) -> Any:
    if not _LIMIT_BOUNDS_NESTING:
        check_depth(value, source)
    return value


def _no_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not a JSON number", name, 0)


def read_members(path: Path) -> Iterator[Member]:
    """The plan object's members in file order; `steps` yields one Member per step."""
    check_file(path, "plan file")
    source = f"plan file {path}"
    decoder = json.JSONDecoder(parse_constant=_no_constant)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise UnreadableFile(f"{source} cannot be read: {exc.strerror or exc}") from None
    with handle:
        text = _Text(handle, source)
        text.expect("{", "a JSON object (the output of `pulumi preview --json`)")
        if text.skip_space() == "}":
            text.pos += 1
        else:
            while True:
                text.skip_space()
                line = text.here()
                key = text.value(decoder)
                if not isinstance(key, str):
                    raise UnreadableFile(f"{source} line {line}: expected a member name")
                text.expect(":", "':'")
                if key == "steps" and text.skip_space() == "[":
                    yield from _steps(text, decoder, source)
                else:
                    value = _bounded(text.value(decoder), f"{source} line {line} ({key})")
                    yield Member(key, value, line)
                if text.expect(",}", "',' or '}'") == "}":
                    break
        if text.skip_space():
            raise UnreadableFile(f"{source} line {text.here()}: text after the plan object")


def _steps(text: _Text, decoder: json.JSONDecoder, source: str) -> Iterator[Member]:
    text.pos += 1  # the '['
    if text.skip_space() == "]":
        text.pos += 1
        return
    index = 0
    while True:
        text.skip_space()
        line = text.here()
        step = _bounded(text.value(decoder), f"{source} line {line} (steps[{index}])")
        yield Member("steps", step, line, index)
        index += 1
        if text.expect(",]", "',' or ']' after a step") == "]":
            return
