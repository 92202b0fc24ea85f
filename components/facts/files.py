"""Reading and writing the files the tool works on, safely: one place for every layer.

Every file is read as UTF-8 (a UTF-8 byte order mark is accepted); anything else is an
`UnreadableFile` naming the file and the byte offset, never a traceback. YAML aliases and JSON
nesting are bounded, so a small hostile file cannot grow into gigabytes or blow the stack. Writes go
through a temp file in the same folder and `os.replace`, so a reader never sees half a file; temp
files still pending when a signal ends the process are listed for the CLI to remove.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one aeon at a time there
    fcntl = None  # type: ignore[assignment]

MAX_TEXT_BYTES = 64 * 1024 * 1024  # config, policy config, saved recommendations, inventories
# Protobuf (the analyzer protocol carries resource properties as Structs) refuses messages nested
# deeper than 100 levels; nothing the tool reads needs more.
MAX_JSON_DEPTH = 100
# Alias expansion a YAML document may add beyond its own nodes (the stack files use none).
MAX_YAML_ALIAS_NODES = 10_000
MAX_CSV_FIELD = 64 * 1024  # characters in one CSV field
MAX_CSV_LINE = 4 * 1024 * 1024  # bytes in one line of a CSV file

_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}
_UTF8_BOM = b"\xef\xbb\xbf"
_NEWLINE = b"\n"


class UnreadableFile(ValueError):
    """A file that cannot be read as what it should hold; the message names it and says why."""


def check_file(path: Path, what: str = "file") -> Path:
    """`path` exists and is a regular file (not a directory), else UnreadableFile."""
    if path.is_dir():
        raise UnreadableFile(f"{what} {path} is a directory; expected a file")
    if not path.exists():
        raise UnreadableFile(f"{what} {path} does not exist")
    return path


def read_bytes(path: Path, what: str = "file", max_bytes: int = MAX_TEXT_BYTES) -> bytes:
    check_file(path, what)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise UnreadableFile(
                f"{what} {path} is {size:,} bytes; at most {max_bytes:,} are read (is it the "
                "right file?)"
            )
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"{what} {path} cannot be read: {exc.strerror or exc}") from None


def decode_utf8(data: bytes, source: str, offset: int = 0, line: int = 1) -> str:
    """UTF-8 text of `data` (a leading BOM dropped); UnreadableFile naming the byte offset and
    line. `data` may be a piece of a file starting at byte `offset` and line `line`."""
    start = 0
    if offset == 0:
        for bom, name in _BOMS.items():
            if data.startswith(bom):
                raise UnreadableFile(
                    f"{source} is {name} (byte order mark at offset 0); save it as UTF-8"
                )
        start = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    nul = data.find(b"\0", start)
    if nul >= 0:
        raise UnreadableFile(
            f"{source} holds a NUL byte at offset {offset + nul} (line "
            f"{line + data.count(_NEWLINE, 0, nul)}): a binary file, or UTF-16 without a byte "
            "order mark; save it as UTF-8 text"
        )
    try:
        return data[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = start + exc.start
        raise UnreadableFile(
            f"{source} is not UTF-8: byte 0x{data[at]:02x} at offset {offset + at} (line "
            f"{line + data.count(_NEWLINE, 0, at)}) does not decode; save the file as UTF-8"
        ) from None


def read_text(path: Path, what: str = "file", max_bytes: int = MAX_TEXT_BYTES) -> str:
    """Text of a UTF-8 file; UnreadableFile when it is missing, a folder, too big or not UTF-8."""
    return decode_utf8(read_bytes(path, what, max_bytes), f"{what} {path}")


# --- JSON -------------------------------------------------------------------------------------


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(text: str, source: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """JSON of `text`: no NaN/Infinity, nesting at most `max_depth` levels."""
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(
            f"{source} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except ValueError as exc:
        raise UnreadableFile(f"{source} is not valid JSON: {exc}") from None
    except RecursionError:
        raise UnreadableFile(f"{source}: JSON nested deeper than {max_depth} levels") from None
    check_depth(data, source, max_depth)
    return data


def check_depth(data: Any, source: str, max_depth: int = MAX_JSON_DEPTH) -> None:
    """UnreadableFile when lists/objects nest deeper than `max_depth` (no recursion)."""
    level: list[Any] = [data]
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            raise UnreadableFile(f"{source}: data nested deeper than {max_depth} levels")
        nxt: list[Any] = []
        for item in level:
            if isinstance(item, dict):
                nxt.extend(v for v in item.values() if isinstance(v, (dict, list)))
            elif isinstance(item, list):
                nxt.extend(v for v in item if isinstance(v, (dict, list)))
        level = nxt


def load_json(path: Path, what: str = "file", max_depth: int = MAX_JSON_DEPTH) -> Any:
    return parse_json(read_text(path, what), f"{what} {path}", max_depth)


# --- YAML -------------------------------------------------------------------------------------


def parse_yaml(text: str, source: str) -> Any:
    """Safe YAML of `text` with alias expansion bounded (an 18-line alias bomb stays 18 lines)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        node = YAML(typ="safe", pure=True).compose(text)
        if node is not None:
            _check_aliases(node, source)
        return YAML(typ="safe", pure=True).load(text)
    except MarkedYAMLError as exc:
        raise UnreadableFile(f"{source}: not valid YAML: {_yaml_problem(exc)}") from None
    except YAMLError as exc:
        raise UnreadableFile(f"{source}: not valid YAML: {_one_line(str(exc))}") from None
    except RecursionError:
        raise UnreadableFile(f"{source}: YAML nested too deeply") from None
    except UnreadableFile:
        raise
    except ValueError as exc:  # ruamel's constructors raise it for bad scalars (e.g. dates)
        raise UnreadableFile(f"{source}: not valid YAML: {exc}") from None


def _check_aliases(root: Any, source: str) -> None:
    """Count the nodes the document expands to (each alias counts its whole target) without
    expanding it, and refuse recursive aliases."""
    unique: set[int] = set()
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        kids = _children(node)
        if done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(k)] for k in kids)
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise UnreadableFile(f"{source}: a YAML alias refers to itself (recursive anchor)")
        unique.add(key)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in sizes)
    extra = sizes[id(root)] - len(unique)
    if extra > MAX_YAML_ALIAS_NODES:
        raise UnreadableFile(
            f"{source}: YAML aliases expand the document by {extra:,} nodes; at most "
            f"{MAX_YAML_ALIAS_NODES:,} are allowed (an alias bomb?)"
        )


def _children(node: Any) -> list[Any]:
    value = getattr(node, "value", None)
    if not isinstance(value, list):
        return []
    out: list[Any] = []
    for item in value:
        out.extend(item if isinstance(item, tuple) else (item,))
    return out


def _yaml_problem(exc: Any) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{_one_line(exc.problem or exc.context or 'parse error')}{where}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def load_yaml(path: Path, what: str = "file") -> Any:
    return parse_yaml(read_text(path, what), f"{what} {path}")


# --- CSV --------------------------------------------------------------------------------------


def csv_records(path: Path, what: str = "file") -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each non-empty record of a CSV file, streamed (files of any
    size). UTF-8 (BOM accepted) and strict CSV: a byte that does not decode, a NUL, an unclosed
    quote or a field over MAX_CSV_FIELD characters is an UnreadableFile naming line and offset."""
    check_file(path, what)
    source = f"{what} {path}"
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise UnreadableFile(f"{source} cannot be read: {exc.strerror or exc}") from None
    previous = csv.field_size_limit(MAX_CSV_FIELD)
    try:
        with handle:
            reader = csv.reader(_decoded_lines(handle, source), strict=True)
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise UnreadableFile(
                        f"{source} line {reader.line_num}: not valid CSV: {exc}"
                    ) from None
                if any(field.strip() for field in fields):
                    yield reader.line_num, fields
    finally:
        csv.field_size_limit(previous)


def _decoded_lines(handle: Any, source: str) -> Iterator[str]:
    offset = 0
    for number, raw in enumerate(iter(lambda: handle.readline(MAX_CSV_LINE), b""), start=1):
        if len(raw) == MAX_CSV_LINE and not raw.endswith(b"\n"):
            raise UnreadableFile(
                f"{source} line {number} is longer than {MAX_CSV_LINE:,} bytes: not a CSV file?"
            )
        yield decode_utf8(raw, source, offset, number)
        offset += len(raw)


# --- writing ------------------------------------------------------------------------------------

_UMASK = os.umask(0o022)
os.umask(_UMASK)

# Temp files being written right now: a signal handler removes them before the process ends.
PENDING_TEMPS: set[Path] = set()


def temp_beside(path: Path, suffix: str = ".tmp") -> Path:
    """A new empty temp file in `path`'s folder (so os.replace is a rename on one filesystem)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    temp = Path(name)
    PENDING_TEMPS.add(temp)
    return temp


def write_synced(path: Path, data: str | bytes, mode_from: Path | None = None) -> None:
    """Write `data` to `path` and sync it to disk (with `mode_from`'s permissions if it exists)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with open(path, "wb") as handle:
        handle.write(raw)
        handle.flush()
        os.fsync(handle.fileno())
    if mode_from is not None and mode_from.exists():
        os.chmod(path, mode_from.stat().st_mode & 0o777)
    else:  # mkstemp makes 0600; a new file gets what open() would give it
        os.chmod(path, 0o666 & ~_UMASK)


def write_temp(path: Path, data: str | bytes, suffix: str = ".tmp") -> Path:
    """`data` in a synced temp file beside `path` (with `path`'s permissions when it exists)."""
    temp = temp_beside(path, suffix)
    try:
        write_synced(temp, data, mode_from=path)
    except BaseException:
        discard(temp)
        raise
    return temp


def discard(temp: Path) -> None:
    temp.unlink(missing_ok=True)
    PENDING_TEMPS.discard(temp)


def commit(temp: Path, path: Path) -> None:
    """Rename `temp` over `path` and make the rename durable."""
    os.replace(temp, path)
    PENDING_TEMPS.discard(temp)
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_text_atomic(path: Path, text: str, keep_previous: bool = False) -> None:
    """Replace `path` with `text` in one step; with `keep_previous`, the old file is copied to
    `<name>.prev` first (so `path` itself never goes missing)."""
    temp = write_temp(path, text)
    try:
        if keep_previous and path.is_file():
            prev = path.with_name(path.name + ".prev")
            commit(write_temp(prev, path.read_bytes()), prev)
        commit(temp, path)
    except BaseException:
        discard(temp)
        raise


def remove_pending_temps() -> None:
    for temp in list(PENDING_TEMPS):
        discard(temp)


@contextmanager
def exclusive_lock(path: Path, *, wait: bool = True) -> Iterator[bool]:
    """An advisory exclusive lock on the file `path` (created if need be), released on exit or
    when the process dies. Yields whether it is held: without `wait`, False when another process
    holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        if fcntl is None:
            yield True
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
