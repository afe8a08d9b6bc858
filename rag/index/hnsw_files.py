"""The embedded index's vector files, checked before chromadb loads them.

chromadb keeps each collection's HNSW graph in a folder named for its vector segment, next to
``chroma.sqlite3``, once it has flushed the graph to disk (the database's ``max_seq_id`` table then
has a row for the segment; before, the records wait in the database's log and the folder may hold
an empty graph). The native library that loads the graph trusts its files: random bytes in
``data_level0.bin`` crash the process, a truncated file is read as zeros, and a missing folder
starts an empty graph that silently misses everything flushed before. So :func:`check_vector_files`
checks, for every flushed graph and before a client opens the index:

- the folder and its five files are there;
- ``header.bin`` is one hnswlib writes: its version, and offsets and sizes consistent with the
  collection's dimension;
- each file is long enough for the number of elements the header gives;
- every link of the graph points to an element that exists, on a level that element has; labels
  are unique, vectors finite (of unit length in a cosine space, which stores them normalised);
- ``index_metadata.pickle`` (read without running any pickled code) maps ids to labels the graph holds.

A failed check is an :class:`~rag.errors.IndexDamagedError` naming the file and the fix, which
never opens the damaged index (``litrev ingest --rebuild``).
"""

from __future__ import annotations

import io
import json
import pickle
import sqlite3
import struct
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import IndexDamagedError

SQLITE_FILE = "chroma.sqlite3"
REBUILD_HINT = "rebuild the index from your sources with `litrev ingest --rebuild [FILES]`"
_HNSW = "urn:chroma:segment/vector/hnsw-local-persisted"
_HEADER = struct.Struct("<iQQQQQQiIQQQdQ")
"""hnswlib's persisted header: version, offsetLevel0, max_elements, cur_element_count,
size_data_per_element, label_offset, offsetData, maxlevel, enterpoint_node, maxM, maxM0, M, mult,
ef_construction."""
_VERSION = 1
_METADATA = "index_metadata.pickle"
_FILES = ("header.bin", "data_level0.bin", "length.bin", "link_lists.bin", _METADATA)
_BLOCK = 16_384
"""Elements checked at once (bounds the memory the check takes)."""


def damaged(path: Path, detail: str) -> IndexDamagedError:
    return IndexDamagedError(f"the index file {path} is damaged ({detail}); {REBUILD_HINT}")


def check_vector_files(directory: Path, *, tries: int = 3, pause: float = 0.3) -> None:
    """Raise IndexDamagedError for the first damaged vector file of the index in ``directory``.

    chromadb rewrites a graph's files one after the other: an ingest in another process may be
    between two of them, so a failed check is tried again after ``pause`` seconds (``tries`` in all).
    """
    for attempt in range(1, tries + 1):
        try:
            return _check_all(directory)
        except IndexDamagedError:
            if attempt == tries:
                raise
            time.sleep(pause)


def _check_all(directory: Path) -> None:
    for segment, dimension, cosine in _flushed_graphs(directory):
        folder = directory / segment
        if not folder.is_dir():
            raise IndexDamagedError(
                f"the index folder {folder} is missing ({SQLITE_FILE} says it holds saved vectors); "
                + REBUILD_HINT
            )
        for name in _FILES:
            if not (folder / name).is_file():
                raise IndexDamagedError(f"the index file {folder / name} is missing; {REBUILD_HINT}")
        _check_graph(folder, dimension, cosine)


def _flushed_graphs(directory: Path) -> list[tuple[str, int, bool]]:
    """(segment id, dimension, cosine space?) of every vector segment whose graph was flushed."""
    database = directory / SQLITE_FILE
    if not database.is_file():
        return []
    try:
        with closing(sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True, timeout=5)) as db:
            rows = db.execute(
                "select s.id, c.dimension, c.config_json_str, c.schema_str, m.seq_id from segments s "
                "join collections c on c.id = s.collection left join max_seq_id m on m.segment_id = s.id "
                "where s.type = ?",
                (_HNSW,),
            ).fetchall()
    except sqlite3.Error:  # damaged (chromadb's open says so) or another layout: nothing to check
        return []
    graphs = []
    for segment, dimension, config, schema, seq_id in rows:
        if seq_id is not None or (directory / str(segment) / _METADATA).exists():
            graphs.append((str(segment), int(dimension or 0), "cosine" in _spaces(config, schema)))
    return graphs


def _spaces(*documents: str | None) -> set[str]:
    """The values of every ``space`` key in these JSON documents."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "space" and isinstance(value, str):
                    found.add(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for document in documents:
        try:
            walk(json.loads(document or "null"))
        except ValueError:
            continue
    return found


def _check_graph(folder: Path, dimension: int, cosine: bool) -> None:
    header_path = folder / "header.bin"
    raw = header_path.read_bytes()
    if len(raw) < _HEADER.size:
        raise damaged(header_path, f"{len(raw)} bytes, a header has {_HEADER.size}")
    (version, offset0, capacity, count, size, label_at, data_at, top, entry, m_max, m0_max, m, mult, ef) = (
        _HEADER.unpack_from(raw)
    )
    data_size = label_at - data_at
    sane = (
        version == _VERSION
        and offset0 == 0
        and 2 <= m <= 1 << 12
        and m_max == m
        and m0_max == 2 * m
        and data_at == 4 + 4 * m0_max
        and data_size > 0
        and data_size % 4 == 0
        and (not dimension or data_size == 4 * dimension)
        and size == label_at + 8
        and count <= capacity
        and ef > 0
        and 0 < mult < 10
        and (top == -1 if count == 0 else 0 <= top < 64 and entry < count)
    )
    if not sane:
        raise damaged(header_path, "its fields are not those of a vector index of this collection")
    _check_sizes(folder, count, size)
    labels = _check_level0(folder / "data_level0.bin", count, size, m0_max, data_at, label_at, cosine)
    levels = _check_upper_levels(folder / "link_lists.bin", count, m_max, top)
    if count and levels[entry] != top:
        raise damaged(header_path, f"its entry point {entry} is not on the top level {top}")
    _check_metadata(folder / _METADATA, labels)


def _check_sizes(folder: Path, count: int, size: int) -> None:
    for name, need in (("data_level0.bin", count * size), ("length.bin", count * 4)):
        have = (folder / name).stat().st_size
        if have < need:
            raise damaged(folder / name, f"{have} bytes, {count} elements need {need}")
    lengths = np.fromfile(folder / "length.bin", dtype="<f4", count=count)
    if not (np.isfinite(lengths).all() and (lengths >= 0).all()):
        raise damaged(folder / "length.bin", "a vector length that is not a number")


def _check_level0(
    path: Path, count: int, size: int, m0_max: int, data_at: int, label_at: int, cosine: bool
) -> np.ndarray:
    """Check every element's level-0 links, label and vector; returns the labels."""
    if not count:
        return np.zeros(0, dtype="<u8")
    data = np.memmap(path, dtype=np.uint8, mode="r", shape=(count, size))
    labels = []
    for start in range(0, count, _BLOCK):
        block = np.asarray(data[start : start + _BLOCK])
        links = np.ascontiguousarray(block[:, :data_at]).view("<u4")
        neighbours, flags = links[:, 0] & 0xFFFF, links[:, 0] >> 16
        used = np.arange(m0_max) < neighbours[:, None]
        bad = (neighbours > m0_max) | (flags > 1) | ((links[:, 1:] >= count) & used).any(1)
        if bad.any():
            raise damaged(path, f"element {start + int(np.argmax(bad))} links to elements that do not exist")
        vectors = np.ascontiguousarray(block[:, data_at:label_at]).view("<f4")
        norms = np.linalg.norm(vectors.astype(np.float64), axis=1)
        bad = ~np.isfinite(vectors).all(1) | (cosine & (np.abs(norms - 1) > 1e-3) & (norms != 0))
        if bad.any():
            raise damaged(path, f"element {start + int(np.argmax(bad))} holds a vector that is not one")
        labels.append(np.ascontiguousarray(block[:, label_at : label_at + 8]).view("<u8").ravel())
    found = np.concatenate(labels)
    if len(np.unique(found)) != count:
        raise damaged(path, "two elements carry the same label")
    return found


def _check_upper_levels(path: Path, count: int, m_max: int, top: int) -> np.ndarray:
    """Check the links above level 0 (each element's size, then its lists); returns each level."""
    raw = path.read_bytes()
    per_level = 4 * (m_max + 1)
    levels = np.zeros(count, dtype=np.int64)
    lists: list[tuple[int, int, int]] = []
    at = 0
    for element in range(count):
        if at + 4 > len(raw):
            raise damaged(path, f"ends before element {element} of {count}")
        (length,) = struct.unpack_from("<I", raw, at)
        at += 4
        if length:
            if length % per_level or length // per_level > top or at + length > len(raw):
                raise damaged(path, f"element {element} has links of a size no level has")
            levels[element] = length // per_level
            lists.append((element, at, length))
            at += length
    for element, start, length in lists:
        block = np.frombuffer(raw, dtype="<u4", count=length // 4, offset=start).reshape(-1, m_max + 1)
        for level, row in enumerate(block, start=1):
            neighbours = row[1 : 1 + (row[0] & 0xFFFF)]
            if row[0] & 0xFFFF > m_max or (neighbours >= count).any() or (levels[neighbours] < level).any():
                raise damaged(path, f"element {element} links to elements that do not exist on level {level}")
    return levels


class _Refused(pickle.Unpickler):
    """Reads the plain data of ``index_metadata.pickle``; refuses every class but chromadb's record
    of it, which becomes a plain object (so no code in the file runs)."""

    def find_class(self, module: str, name: str) -> Any:
        if name == "PersistentData" and module.startswith("chromadb."):
            return _Record
        raise pickle.UnpicklingError(f"it names {module}.{name}")


class _Record:
    """Stands in for chromadb's ``PersistentData``: only its attributes are read."""


def _check_metadata(path: Path, labels: np.ndarray) -> None:
    try:  # from memory: a length in the file is then checked against the bytes there are
        record = _Refused(io.BytesIO(path.read_bytes())).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, MemoryError) as error:
        raise damaged(path, f"unreadable: {error}") from None
    fields = record if isinstance(record, dict) else vars(record)
    label_to_id = fields.get("label_to_id")
    if not isinstance(label_to_id, dict) or not isinstance(fields.get("id_to_label"), dict):
        raise damaged(path, "no map between ids and labels")
    if not set(label_to_id).issubset(labels.tolist()):
        raise damaged(path, "it names labels the vector graph does not hold")
