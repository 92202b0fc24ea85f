"""S3 Inventory reports as S3 delivers them: a `manifest.json` and its data files.

The manifest names the format (`CSV`, `ORC` or `Parquet`), the columns of the header-less CSV files
(`fileSchema`, e.g. "Bucket, Key, Size, LastModifiedDate, StorageClass") and the data files
(`files[].key`, a key in the destination bucket). CSV and CSV.gz are read with DuckDB (keys in CSV
are URL-encoded), Parquet with DuckDB, ORC through pyarrow; every format ends as one DuckDB view,
`inventory(key, size, last_modified, storage_class)`, of the current, non-deleted versions.
`object_batches` streams it once as numpy arrays: a 64-bit hash of the key (what reads join on),
the size, LastModifiedDate in Unix seconds and the class's index in `CLASSES`.

Data files are looked up the way a synced copy of the destination bucket lays them out: the
manifest's key below any folder above the manifest, then `../data/<name>` beside the dated folder,
then the manifest's own folder. A file whose size differs from the manifest's is refused.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from components.facts.files import UnreadableFile, load_json

from .errors import StorageInputError
from .read_log import STREAM_ERRORS, batches, connect, decoded_key

FORMATS = ("CSV", "ORC", "Parquet")
REQUIRED = ("key", "size", "last_modified_date", "storage_class")
# Storage classes an inventory may list (S3 API names); an object's `cls` is the index (0: other).
CLASSES = (
    "OTHER", "STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR",
    "GLACIER", "DEEP_ARCHIVE", "REDUCED_REDUNDANCY", "EXPRESS_ONEZONE", "OUTPOSTS", "SNOW",
)  # fmt: skip
# Objects tallied at a time: enough that a batch's binary searches into the reads stay in cache,
# few enough that DuckDB's stream buffer (10 MB) holds the next batch while this one is tallied.
TALLY_ROWS = 1 << 19
SAMPLE_ROWS = 1000  # checked before the whole inventory is read
INVENTORY_FIELDS_HINT = (
    "enable the optional fields Size, LastModifiedDate and StorageClass in the bucket's inventory "
    "configuration"
)


class ManifestFile(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    key: str = Field(min_length=1)
    size: int | None = Field(default=None, ge=0)
    md5: str | None = Field(default=None, alias="MD5checksum")


class Manifest(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    source_bucket: str = Field(alias="sourceBucket", min_length=1)
    creation_ms: int = Field(alias="creationTimestamp", gt=0)
    file_format: str = Field(alias="fileFormat")
    file_schema: str = Field(alias="fileSchema", default="")
    files: list[ManifestFile] = Field(min_length=1)

    @property
    def created(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.creation_ms / 1000, tz=dt.UTC)

    def csv_columns(self) -> list[str]:
        """fileSchema's names as snake_case (`LastModifiedDate` -> `last_modified_date`)."""
        names = [n.strip() for n in self.file_schema.split(",") if n.strip()]
        return [re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", n).lower() for n in names]


def load_manifest(path: Path) -> Manifest:
    try:
        raw = load_json(path, "S3 Inventory manifest (--s3-inventory)")
        manifest = Manifest.model_validate(raw)
    except UnreadableFile as err:  # missing, a folder, not UTF-8, not JSON, nested too deep
        raise StorageInputError(str(err)) from None
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise StorageInputError(
            f"{path}: not an S3 Inventory manifest: {where}: {first['msg']}"
        ) from None
    fmt = {f.lower(): f for f in FORMATS}.get(manifest.file_format.lower())
    if fmt is None:
        raise StorageInputError(
            f"{path}: fileFormat {manifest.file_format!r} is not one of {', '.join(FORMATS)}"
        )
    manifest = manifest.model_copy(update={"file_format": fmt})
    if fmt == "CSV":
        missing = [c for c in REQUIRED if c not in manifest.csv_columns()]
        if missing:
            raise StorageInputError(
                f"{path}: fileSchema lacks {', '.join(missing)}; {INVENTORY_FIELDS_HINT}"
            )
    return manifest


def locate(manifest_path: Path, entry: ManifestFile) -> Path:
    here = manifest_path.resolve().parent
    name = Path(entry.key).name
    candidates = [folder / entry.key for folder in (here, *here.parents)]
    candidates += [here.parent / "data" / name, here / "data" / name, here / name]
    for candidate in candidates:
        if candidate.is_file():
            if entry.size is not None and candidate.stat().st_size != entry.size:
                raise StorageInputError(
                    f"{candidate}: {candidate.stat().st_size} bytes, the manifest says "
                    f"{entry.size}: an incomplete copy? Download the inventory again"
                )
            return candidate
    raise StorageInputError(
        f"{manifest_path}: data file {entry.key} not found (looked below the manifest's folders, "
        f"in ../data and beside the manifest); copy the inventory with its data files"
    )


def register_inventory(con: duckdb.DuckDBPyConnection, manifest_path: Path) -> Manifest:
    """Create the `inventory` view on `con` from the report at `manifest_path`."""
    manifest = load_manifest(manifest_path)
    paths = [str(locate(manifest_path, f)) for f in manifest.files]
    if manifest.file_format == "CSV":
        names = manifest.csv_columns()
        columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
        source = (
            f"read_csv({paths!r}, header=false, columns={columns}, delim=',', quote='\"', "
            "escape='\"', auto_detect=false, strict_mode=false)"
        )
        key = decoded_key("key")
    elif manifest.file_format == "Parquet":
        source, key = f"read_parquet({paths!r})", "key"
    else:
        source, key = _orc_relation(con, paths), "key"
    present = {d[0] for d in con.sql(f"SELECT * FROM {source} LIMIT 0").description}
    missing = [c for c in REQUIRED if c not in present]
    if missing:
        raise StorageInputError(
            f"{manifest_path}: the data files lack {', '.join(missing)}; {INVENTORY_FIELDS_HINT}"
        )
    current = []
    if "is_latest" in present:  # versioned inventory: noncurrent versions follow other rules
        current.append("coalesce(lower(CAST(is_latest AS VARCHAR)), 'true') <> 'false'")
    if "is_delete_marker" in present:
        current.append("coalesce(lower(CAST(is_delete_marker AS VARCHAR)), 'false') <> 'true'")
    where = " AND ".join(current) or "true"
    try:
        con.sql(
            f"""CREATE OR REPLACE VIEW inventory AS
            SELECT {key} AS key,
                   TRY_CAST(size AS BIGINT) AS size,
                   TRY_CAST(last_modified_date AS TIMESTAMPTZ) AS last_modified,
                   upper(CAST(storage_class AS VARCHAR)) AS storage_class
            FROM {source} WHERE {where}"""
        )
        # The first rows tell a fileSchema that does not match the files before the long read.
        bad, sample = con.execute(
            f"""SELECT count(*) FILTER (size IS NULL OR last_modified IS NULL), count(*)
            FROM (SELECT * FROM inventory LIMIT {SAMPLE_ROWS})"""
        ).fetchall()[0]
    except duckdb.Error as err:
        raise StorageInputError(f"{manifest_path}: cannot read the data files: {err}") from None
    if bad:
        raise StorageInputError(
            f"{manifest_path}: {bad} of the first {sample} rows without a readable Size or "
            "LastModifiedDate; is fileSchema the one the data files were written with?"
        )
    return manifest


def object_batches(manifest_path: Path) -> Iterator[dict[str, np.ndarray]]:
    """The inventory's objects, streamed once from a database of their own: `h` (uint64 key
    hash), `size` (int64), `lm` (uint32, Unix seconds), `cls` (uint8, index in CLASSES). Rows
    without a readable size or time are counted and refused once the stream is read."""
    codes = " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(CLASSES) if i)
    query = f"""
        SELECT hash(key) AS h, coalesce(size, 0) AS size, coalesce(lm, 0) AS lm,
               (CASE storage_class {codes} ELSE 0 END)::UTINYINT AS cls,
               size IS NULL OR lm IS NULL AS bad
        FROM (SELECT key, size, storage_class,
                     TRY_CAST(epoch(last_modified) AS UINTEGER) AS lm FROM inventory)"""
    bad = 0
    with connect() as con:
        register_inventory(con, manifest_path)
        try:
            for columns in batches(con, query, rows=TALLY_ROWS):
                refused = columns.pop("bad")
                if refused.any():
                    bad += int(refused.sum())
                    columns = {name: values[~refused] for name, values in columns.items()}
                yield columns
        except STREAM_ERRORS as err:
            raise StorageInputError(f"{manifest_path}: cannot read the data files: {err}") from None
    if bad:
        raise StorageInputError(
            f"{manifest_path}: {bad} rows without a readable Size or LastModifiedDate; "
            "is fileSchema the one the data files were written with?"
        )


def _orc_relation(con: duckdb.DuckDBPyConnection, paths: list[str]) -> str:
    import pyarrow.dataset as ds  # ORC: DuckDB has no reader of its own

    try:
        dataset = ds.dataset(paths, format="orc")
    except Exception as err:  # pyarrow raises ArrowInvalid, OSError...
        raise StorageInputError(f"cannot read the ORC inventory files: {err}") from None
    con.register("inventory_orc", dataset)
    return "inventory_orc"
