"""Per-project cache of each file's document findings and signatures (SQLite).

A file's entry is keyed by its path and the run's settings (rules, options, reader
settings, versions) and validated by size and modification time, then by a content
hash when those changed, so an unchanged file is neither re-read nor re-parsed. Each
entry also keeps the file's signature keys as a flat array: a run over a few targets
decodes only the files that share a key with them. A corrupt or locked cache is
rebuilt or bypassed with a warning; it never stops a run.

Where it lives: outside the project, so that a cache committed to a repository (or
planted by a pull request) is never read. The folder is
``<base>/<hash of the project root>-<root folder name>/``, where ``<base>`` is

* ``$CORPUSLINT_CACHE_DIR`` when that environment variable is set (not empty),
* else ``$XDG_CACHE_HOME/corpuslint`` when ``XDG_CACHE_HOME`` is an absolute path,
* else ``~/Library/Caches/corpuslint`` on macOS, ``%LOCALAPPDATA%/corpuslint`` on
  Windows, ``~/.cache/corpuslint`` elsewhere.

What is stored is data only (:mod:`corpuslint.cache.codec`), checked as it is read:
an entry that does not decode is dropped with a warning and its file checked again.
The cache is not used at all (a warning says why) when its folder or any file in it
is a symbolic link, or when the folder belongs to another user: it never writes
through a link.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import stat
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xxhash
from numpy.typing import NDArray

from corpuslint._support.atomic import write_bytes_atomic
from corpuslint.cache import codec
from corpuslint.outcome import FileOutcome

ENVIRONMENT = "CORPUSLINT_CACHE_DIR"
"""The environment variable that names the folder holding every project's cache."""
LEGACY_DIRECTORY = ".corpuslint_cache"
"""The cache folder inside the project of earlier releases: never read, never written."""
FLUSH_BYTES = 32 << 20  # write queued entries once their blobs pass this size
SCHEMA = 8  # the layout of the tables and of the encoded outcomes; another drops the cache
GITIGNORE = b"# created by corpuslint\n*\n"
_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26  # primary result codes of a damaged database file
_TABLE = """
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL,
    settings TEXT NOT NULL,
    display TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime INTEGER NOT NULL,
    digest TEXT NOT NULL,
    UNIQUE (path, settings)
)
"""
# The keys and outcome of each entry, apart from the small columns above: a run over a
# few files reads every entry's size and timestamp, and with the blobs in the same rows
# that scan would read the whole database, not just these small columns.
_BLOBS = """
CREATE TABLE IF NOT EXISTS blobs (
    id INTEGER PRIMARY KEY,
    keys BLOB NOT NULL,
    outcome BLOB NOT NULL
)
"""
# The corpus listing of the last run in a git work tree, per settings: which files the
# corpus held and the id of each one's entry, valid while git's state (``state``, a
# digest) is the same. See ``corpuslint.engines.local.listing``. Made by the first
# listing saved: a cache that never holds one (no git) does not grow by its page.
_LISTINGS = """
CREATE TABLE IF NOT EXISTS listings (
    settings TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    files BLOB NOT NULL
)
"""
# When each file of a git repository first entered git (``corpuslint.run.gitstate``),
# as read from the history of ``head``: a run needs the dates of a few files, and
# reading the history of a large repository again each time costs most of such a run.
_ADDED = (
    "CREATE TABLE IF NOT EXISTS added_heads (top TEXT PRIMARY KEY, head TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS added (top TEXT NOT NULL, path TEXT NOT NULL,"
    " date TEXT NOT NULL, PRIMARY KEY (top, path)) WITHOUT ROWID",
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2})?")
_LOOKUP_CHUNK = 500  # paths per SELECT (SQLite allows 32,766 parameters; small is enough)


def _connect(path: Path) -> sqlite3.Connection:
    """Open the database and bring its table to this schema (closed again if that fails)."""
    # Not bound to this thread: the key index is written in another while the corpus
    # pass runs, never while this one uses the connection (Cache.key_index_meanwhile).
    # nofollow: SQLite refuses a database file that is a symbolic link (checked again
    # here, after _refuse_links, for a link made in between).
    uri = Path(os.path.abspath(path)).as_uri() + "?nofollow=1"
    db = sqlite3.connect(uri, timeout=2.0, isolation_level=None, check_same_thread=False, uri=True)
    try:
        # Entries are 5-10 KB: smaller pages spill each onto overflow pages or leave much
        # of the file empty; 64 KB pages (SQLite's largest) write faster and make a
        # smaller file that reads faster whole, at a small cost to fetching a few
        # entries by id. (Only takes effect when the file is new.)
        db.execute("PRAGMA page_size=65536")
        # A rollback journal, not WAL: WAL writes every page twice (to the log, then back
        # into the database), and a cold run over a large corpus writes gigabytes. The
        # cost is that a concurrent run waits for the lock (then runs without the
        # cache, with a warning).
        db.execute("PRAGMA journal_mode=DELETE")
        # No fsync: the cache can be rebuilt, and a file an OS crash damaged is detected
        # and rebuilt (see Cache._open), and an fsync at each checkpoint would slow
        # every write by half.
        db.execute("PRAGMA synchronous=OFF")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA):
            db.execute("DROP TABLE IF EXISTS files")
            db.execute("DROP TABLE IF EXISTS blobs")
            db.execute("DROP TABLE IF EXISTS listings")
            db.execute("DROP TABLE IF EXISTS added_heads")
            db.execute("DROP TABLE IF EXISTS added")
        db.execute(_TABLE)
        db.execute(_BLOBS)
        db.execute(f"PRAGMA user_version={SCHEMA}")
    except BaseException:
        db.close()  # an open handle would keep a deleted file's disk space
        raise
    return db


def _corrupt(error: sqlite3.DatabaseError) -> bool:
    """Whether SQLite says the file is damaged, as opposed to full, locked or read-only."""
    code = getattr(error, "sqlite_errorcode", None)  # Python 3.11 and later
    if code is not None:
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    return any(words in str(error) for words in ("not a database", "malformed"))


def base_directory() -> Path:
    """The folder holding every project's cache (see the module's docstring).

    Raises ``RuntimeError`` when there is no home folder to put it in.
    """
    override = os.environ.get(ENVIRONMENT)
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "corpuslint"
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "corpuslint"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "corpuslint"
    return Path.home() / ".cache" / "corpuslint"


def directory_for(root: Path) -> Path:
    """The cache folder of the project at ``root``: one per resolved root path."""
    resolved = root.resolve()
    digest = hashlib.blake2b(
        str(resolved).encode("utf-8", "surrogatepass"), digest_size=8
    ).hexdigest()
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", resolved.name)[:40].lstrip(".") or "root"
    return base_directory() / f"{digest}-{name}"


def _refuse_links(directory: Path) -> None:
    """Raise ``CacheError`` unless ``directory`` is a folder of ours holding no links.

    Checked before the cache opens any file there: SQLite, the key index and the
    .gitignore would otherwise write (or read) wherever a planted link points.
    """
    info = os.lstat(directory)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise CacheError(f"{directory} is a symbolic link or not a folder")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise CacheError(f"{directory} belongs to another user")
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.is_symlink():
                raise CacheError(f"{entry.path} is a symbolic link")


def _regular_file(path: Path) -> bool:
    """Whether ``path`` is a regular file, not a link to one."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


class CacheError(Exception):
    """The cache cannot be used; the run goes on without it."""


def settings_digest(*parts: object) -> str:
    """A short digest of everything that changes a file's outcome."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


def outcome_keys(outcome: FileOutcome) -> bytes:
    """Every signature key of a file, as a flat int64 array."""
    return b"".join(batch.keys for batch in outcome.signatures)


class Cache:
    """The cache database of one project, for one set of settings."""

    def __init__(self, root: Path, settings: str, directory: Path | None = None) -> None:
        self.settings = settings
        self.warnings: list[str] = []
        self._pending: list[tuple[object, ...]] = []
        self._pending_bytes = 0
        self.index_due = False
        """Whether this run saw the whole corpus and changed it: the key index is stale."""
        try:
            self.directory = directory if directory is not None else directory_for(root)
        except (OSError, RuntimeError) as exc:  # no home folder, say
            self.directory = Path(root.name or "project")
            self.warnings.append(f"no folder for the cache ({exc}); running without it")
            self._db: sqlite3.Connection | None = None
            return
        self._db = self._open()

    def _open(self) -> sqlite3.Connection | None:
        """The database, rebuilt once if it is corrupt; ``None`` (with a warning) if unusable.

        Only a damaged file is deleted: a full disk, a lock or a read-only folder leaves
        a good cache alone for the next run.
        """
        path = self.directory / "cache.sqlite"
        try:
            self._create_directory()
        except (OSError, CacheError) as exc:
            self.warnings.append(f"cache directory {self.directory} cannot be used ({exc})")
            return None
        for attempt in range(2):
            try:
                return _connect(path)
            except sqlite3.DatabaseError as exc:
                if attempt == 0 and _corrupt(exc):
                    self.warnings.append(f"cache {path} is corrupt ({exc}); rebuilding it")
                    for suffix in ("", "-journal", "-wal", "-shm"):
                        with contextlib.suppress(OSError):
                            os.unlink(f"{path}{suffix}")
                    continue
                self.warnings.append(f"cache {path} cannot be used ({exc}); running without it")
                break
            except OSError as exc:
                self.warnings.append(f"cache {path} cannot be used ({exc}); running without it")
                break
        return None

    def _create_directory(self) -> None:
        """The cache folder with its .gitignore, rewritten if missing or cut short (full disk).

        The folder is private (0700) when this creates it. ``CacheError`` if it or
        anything in it is a symbolic link: nothing is written then. The .gitignore
        matters when ``CORPUSLINT_CACHE_DIR`` puts the cache inside a repository.
        """
        self.directory.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(self.directory, 0o700)
        _refuse_links(self.directory)
        ignore = self.directory / ".gitignore"
        try:
            with open(ignore, "rb") as handle:  # not a link: _refuse_links saw to that
                complete = handle.read(len(GITIGNORE) + 1) == GITIGNORE
        except OSError:
            complete = False
        if not complete:
            write_bytes_atomic(ignore, GITIGNORE, follow_links=False)

    @property
    def usable(self) -> bool:
        """Whether the cache opened."""
        return self._db is not None

    def _guard(self, action: str) -> contextlib.AbstractContextManager[None]:
        return _Guard(self, action)

    def entries(self) -> dict[str, tuple[str, int, int, str, int]]:
        """Every entry of these settings: path -> (path, size, mtime, display, rowid).

        The rows as SQLite gives them, without the digest (``digest`` fetches one): a
        pre-commit run reads every entry, and building objects for them costs more.
        """
        if self._db is None:
            return {}
        with self._guard("read"):
            rows = self._db.execute(
                "SELECT path, size, mtime, display, id FROM files WHERE settings = ?",
                (self.settings,),
            )
            return {row[0]: row for row in rows}
        return {}

    def entry(self, location: str) -> tuple[str, int, int, str, int] | None:
        """One file's entry as :meth:`entries` gives it, or ``None``."""
        if self._db is None:
            return None
        with self._guard("read"):
            row = self._db.execute(
                "SELECT path, size, mtime, display, id FROM files WHERE path = ? AND settings = ?",
                (location, self.settings),
            ).fetchone()
            return None if row is None else (str(row[0]), *row[1:])
        return None

    def listing(self, state: str) -> bytes | None:
        """The corpus listing saved under git state ``state`` for these settings, if any."""
        query = "SELECT files FROM listings WHERE settings = ? AND state = ?"
        found = self._one_value("listings", query, (self.settings, state))
        return found if type(found) is bytes else None

    def save_listing(self, state: str, files: bytes) -> None:
        """Keep ``files`` (an encoded listing) as the corpus under git state ``state``."""
        if self._db is None:
            return
        with self._guard("write"):
            self._db.execute(_LISTINGS)
            self._db.execute(
                "INSERT OR REPLACE INTO listings (settings, state, files) VALUES (?, ?, ?)",
                (self.settings, state, files),
            )

    def _has_table(self, name: str) -> bool:
        assert self._db is not None
        made = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return self._db.execute(made, (name,)).fetchone() is not None

    def _one_value(self, table: str, query: str, parameters: tuple[str, ...]) -> object:
        """The first column of the first row ``query`` gives from ``table`` (made lazily).

        ``None`` when the cache is not open, the table was never made or no row matches.
        """
        if self._db is None:
            return None
        with self._guard("read"):
            if not self._has_table(table):
                return None
            row = self._db.execute(query, parameters).fetchone()
            return None if row is None else row[0]
        return None

    def added_head(self, top: str) -> str | None:
        """The commit whose history the kept git dates of repository ``top`` were read from."""
        query = "SELECT head FROM added_heads WHERE top = ?"
        found = self._one_value("added_heads", query, (top,))
        return found if type(found) is str else None

    def added_dates(self, top: str, paths: Iterable[str]) -> dict[str, str] | None:
        """The kept git dates of these paths of repository ``top`` (the ones it knows).

        ``None`` when the cache cannot tell, or holds a value that is not a date (then
        they are read from git again).
        """
        if self._db is None:
            return None
        wanted = list(paths)
        found: dict[str, str] = {}
        with self._guard("read"):
            if not self._has_table("added"):
                return None
            for at in range(0, len(wanted), _LOOKUP_CHUNK):
                chunk = wanted[at : at + _LOOKUP_CHUNK]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT path, date FROM added WHERE top = ? AND path IN ({marks})"
                for path, date in self._db.execute(query, (top, *chunk)):
                    if type(date) is not str or not _DATE.fullmatch(date):
                        return None
                    found[path] = date
            return found
        return None

    def save_added(self, top: str, head: str, dates: Mapping[str, str], *, replace: bool) -> None:
        """Keep ``dates`` as read from the history of ``head``; ``replace`` drops older ones."""
        if self._db is None:
            return
        with self._guard("write"):
            for statement in _ADDED:
                self._db.execute(statement)
            self._db.execute("BEGIN")
            if replace:
                self._db.execute("DELETE FROM added WHERE top = ?", (top,))
            self._db.executemany(
                "INSERT OR IGNORE INTO added (top, path, date) VALUES (?, ?, ?)",
                ((top, path, date) for path, date in dates.items()),
            )
            self._db.execute(
                "INSERT OR REPLACE INTO added_heads (top, head) VALUES (?, ?)", (top, head)
            )
            self._db.execute("COMMIT")

    def digest(self, rowid: int) -> str:
        """The content hash of an entry; empty if the cache cannot give it."""
        if self._db is None:
            return ""
        with self._guard("read"):
            row = self._db.execute("SELECT digest FROM files WHERE id = ?", (rowid,)).fetchone()
            return str(row[0]) if row else ""
        return ""

    def _column(self, column: str, rowids: Iterable[int]) -> Iterator[tuple[int, bytes]]:
        """(rowid, value of ``column``) of these entries, queried 500 at a time."""
        if self._db is None:
            return
        ids = list(rowids)
        with self._guard("read"):
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT id, {column} FROM blobs WHERE id IN ({marks})"
                yield from self._db.execute(query, chunk)

    def keys_of(self, rowids: Iterable[int]) -> dict[int, bytes]:
        """The signature keys of these entries, packed (see ``hashing.pack``).

        A value that is not whole int64 keys disables the cache (with a warning).
        """
        found: dict[int, bytes] = {}
        with self._guard("read"):
            for rowid, blob in self._column("keys", rowids):
                found[rowid] = _keys_blob(blob)
        return found

    @property
    def _index_path(self) -> Path:
        return self.directory / f"keys3-{self.settings}.idx"

    @property
    def has_key_index(self) -> bool:
        """Whether a key index for these settings exists."""
        return _regular_file(self._index_path)

    def write_key_index(self, stop: threading.Event | None = None) -> None:
        """Index every entry's keys, sorted, for runs over a few files.

        Written after runs that saw the whole corpus; a later run over a few targets
        finds the cached files sharing a key with them by binary search, instead of
        reading every file's keys (hundreds of megabytes in a large corpus). Each key's
        low bits are replaced by the number of the entry holding it, so sorted values
        hold both (see :func:`_index_values`). They are sorted and written in runs of
        ``_RUN`` as they are read, so the index costs 16 MB of memory and can be
        written while the corpus pass runs (see :meth:`key_index_meanwhile`).
        ``stop`` set makes it give up, leaving the index as it was.
        """
        if self._db is None:
            return
        with self._guard("index"):
            # Read in one transaction, so a concurrent run's writes cannot change the
            # entries under us.
            self._db.execute("BEGIN")
            try:
                _save_index(self._index_path, self._index_arrays(stop))
            finally:
                self._db.execute("COMMIT")  # a read: nothing to undo
        self.index_due = False

    def _index_arrays(self, stop: threading.Event | None) -> Iterator[NDArray[np.int64]]:
        """The key index's sorted runs of values, then the rowids their entry numbers name."""
        assert self._db is not None
        (entries,) = self._db.execute(
            "SELECT COUNT(*) FROM files WHERE settings = ?", (self.settings,)
        ).fetchone()
        bits = _entry_bits(entries)
        rowids: list[int] = []  # ids only grow (AUTOINCREMENT)
        run = np.empty(_RUN, dtype=np.int64)
        filled = 0
        for rowid, blob in self._db.execute(
            "SELECT id, keys FROM blobs JOIN files USING (id) WHERE settings = ?",
            (self.settings,),
        ):
            if stop is not None and stop.is_set():
                raise _Stopped
            keys = np.frombuffer(_keys_blob(blob), dtype=np.int64)
            values = _index_values(keys, bits) | len(rowids)
            rowids.append(rowid)
            while len(values):
                taken = values[: _RUN - filled]
                run[filled : filled + len(taken)] = taken
                filled += len(taken)
                values = values[len(taken) :]
                if filled == _RUN:
                    run.sort()  # numpy sorts without the GIL: the corpus pass goes on
                    yield run
                    run, filled = np.empty(_RUN, dtype=np.int64), 0
        if filled:
            yield np.sort(run[:filled])
        yield np.array(rowids, dtype=np.int64)

    @contextlib.contextmanager
    def key_index_meanwhile(self) -> Iterator[None]:
        """Write the key index, if due, in a thread while the block runs; wait for it after.

        The corpus pass keeps one core busy judging and leaves the other mostly idle,
        so the index is written there instead of after it. The block must
        not use the cache. If it raises, the index is given up.
        """
        if not self.index_due or self._db is None:
            yield
            return
        stop = threading.Event()
        writer = threading.Thread(
            target=self._write_key_index_quietly, args=(stop,), name="corpuslint-index"
        )
        writer.start()
        try:
            yield
        except BaseException:
            stop.set()
            raise
        finally:
            writer.join()

    def _write_key_index_quietly(self, stop: threading.Event) -> None:
        with contextlib.suppress(_Stopped):
            self.write_key_index(stop)

    def holders(
        self, keys: NDArray[np.int64]
    ) -> tuple[NDArray[np.intp], NDArray[np.int64], NDArray[np.int64]] | None:
        """Pairs (position in ``keys``, rowid) of the indexed entries holding each key.

        Also every indexed rowid. ``None`` when there is no index for these settings
        yet (or it is unreadable: the caller then reads the keys of every entry). An
        entry whose key differs only in the low bits may be among them: the caller
        compares keys where it matters.
        """
        if self._db is None or not _regular_file(self._index_path):
            return None
        try:
            runs, rowids = _load_index(self._index_path)
            positions, entries = _lookup_pairs(runs, rowids, keys)
        except (OSError, ValueError) as exc:
            self.warnings.append(f"cache key index {self._index_path} unreadable ({exc}); not used")
            return None
        return positions, entries, np.array(rowids)

    def outcomes(self, rowids: Iterable[int]) -> Iterator[tuple[int, FileOutcome]]:
        """The stored outcomes of these entries; those that do not decode are left out.

        An entry that fails its checksum or does not decode is dropped from the cache,
        with a warning: the caller checks its file again, and the next run caches it anew.
        """
        bad: list[int] = []
        first = ""
        for rowid, blob in self._column("outcome", rowids):
            try:
                outcome = codec.decode(_unsealed(blob))
            except (DamagedEntry, codec.DecodeError) as exc:
                bad.append(rowid)
                first = first or str(exc)
                continue
            yield rowid, outcome
        if bad:
            self.warnings.append(
                f"cache {self.directory}: {len(bad)} entr{'y' if len(bad) == 1 else 'ies'}"
                f" could not be read ({first}); ignored, their files checked again"
            )
            self._forget(bad)

    def _forget(self, rowids: Sequence[int]) -> None:
        """Delete these entries (unreadable ones), so the next run caches their files anew."""
        if self._db is None:
            return
        with self._guard("write"):
            self._db.execute("BEGIN")
            for start in range(0, len(rowids), 500):
                chunk = list(rowids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                self._db.execute(f"DELETE FROM blobs WHERE id IN ({marks})", chunk)
                self._db.execute(f"DELETE FROM files WHERE id IN ({marks})", chunk)
            self._db.execute("COMMIT")

    def touch(self, location: str, size: int, mtime: int) -> None:
        """Record a new timestamp for a file whose content hash did not change."""
        self._pending.append(("touch", location, size, mtime))

    def store(
        self,
        location: str,
        display: str,
        size: int,
        mtime: int,
        digest: str,
        outcome: FileOutcome,
        encoded: bytes | None = None,
    ) -> None:
        """Queue a file's outcome for writing by :meth:`flush`.

        ``encoded`` is the outcome already encoded (by the worker that checked the file,
        with :func:`codec.encode`).
        An outcome with an internal error is not kept: the error may not happen again
        (a rule stopped at its time budget on a busy machine), so the file is checked anew.
        """
        if outcome.errors:
            return
        if encoded is None:
            encoded = codec.encode(outcome)
        blob = _sealed(encoded)
        self._pending.append(
            ("store", location, display, size, mtime, digest, outcome_keys(outcome), blob)
        )
        self._pending_bytes += len(blob)
        if self._pending_bytes > FLUSH_BYTES:  # a cold run over 100k files would hold 800 MB
            self.flush()

    def flush(self) -> None:
        """Write queued entries in one transaction."""
        if self._db is None or not self._pending:
            return
        with self._guard("write"):
            self._db.execute("BEGIN")
            for item in self._pending:
                if item[0] == "touch":
                    self._db.execute(
                        "UPDATE files SET size = ?, mtime = ? WHERE path = ? AND settings = ?",
                        (item[2], item[3], item[1], self.settings),
                    )
                else:
                    self._replace(item[1:])
            self._db.execute("COMMIT")
        self._pending.clear()
        self._pending_bytes = 0

    def _replace(self, entry: tuple[Any, ...]) -> None:
        """Write one entry (inside :meth:`flush`'s transaction) under a new id.

        Never the old id, not even for the newest entry (AUTOINCREMENT): the key index
        holds the old keys under that id, so a run over a few files would take them for
        the file's keys and miss what its new content shares.
        """
        assert self._db is not None
        location, display, size, mtime, digest, keys, blob = entry
        where = (location, self.settings)
        insert = (
            "INSERT OR IGNORE INTO files (path, settings, display, size, mtime, digest)"
            " VALUES (?, ?, ?, ?, ?, ?)"
        )
        added = self._db.execute(insert, (*where, display, size, mtime, digest))
        if not added.rowcount:  # the file has an entry: replace it, under a new id
            self._db.execute(
                "DELETE FROM blobs WHERE id IN"
                " (SELECT id FROM files WHERE path = ? AND settings = ?)",
                where,
            )
            self._db.execute("DELETE FROM files WHERE path = ? AND settings = ?", where)
            added = self._db.execute(insert, (*where, display, size, mtime, digest))
        self._db.execute("INSERT INTO blobs VALUES (?, ?, ?)", (added.lastrowid, keys, blob))

    def close(self) -> None:
        """Write what is queued and close the database."""
        self.flush()
        if self._db is not None:
            self._db.close()
            self._db = None


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # not on Windows, where links need privileges

# np.lib.format is untyped in numpy 2.2 (the last release for Python 3.10), typed from 2.3.
_NPY_FORMAT: Any = np.lib.format


class DamagedEntry(Exception):
    """A stored outcome whose checksum does not match: the cache file was damaged."""


_CACHE_ERRORS = (sqlite3.Error, OSError, DamagedEntry, codec.DecodeError)


def _sealed(payload: bytes) -> bytes:
    """``payload`` behind its 8-byte checksum.

    Not compressed: even zlib's fastest level costs a large share of a cold run for
    little space saved, as keys and sketches are random.
    """
    return xxhash.xxh3_64_digest(payload) + payload


def _unsealed(blob: object) -> memoryview:
    """The payload of a :func:`_sealed` blob; ``DamagedEntry`` if its checksum is wrong.

    The checksum only detects damage (a disk error, a file cut short): anyone who can
    write the cache can compute it. What the payload holds is checked as it is decoded.
    """
    if type(blob) is not bytes or len(blob) < 8:
        raise DamagedEntry("a stored outcome is not a checksummed blob")
    payload = memoryview(blob)[8:]
    if xxhash.xxh3_64_digest(payload) != blob[:8]:
        raise DamagedEntry("a stored outcome does not match its checksum")
    return payload


def _keys_blob(blob: object) -> bytes:
    """A stored entry's keys, checked to be whole int64 values."""
    if type(blob) is not bytes or len(blob) % 8:
        raise codec.DecodeError("stored signature keys that are not int64 values")
    return blob


def _entry_bits(entries: int) -> int:
    """Low bits of an index value that number its entry, for this many entries."""
    return max(1, (entries - 1).bit_length())


def _index_values(keys: NDArray[np.int64], bits: int) -> NDArray[np.int64]:
    """Keys with their low ``bits`` cleared, for an entry's number to fill.

    Two keys that differ only there look alike to the index: at 100k articles (17
    bits) a target key meets such a stranger about once in 7 million lookups, and it
    only costs loading one more file's outcome.
    """
    cleared: NDArray[np.int64] = keys & ~np.int64((1 << bits) - 1)
    return cleared


_RUN = 1 << 20  # index values sorted and written at a time


class _Stopped(Exception):
    """The key index was given up (the run it was written beside failed)."""


def _lookup_pairs(
    runs: Sequence[NDArray[np.int64]], rowids: NDArray[np.int64], keys: NDArray[np.int64]
) -> tuple[NDArray[np.intp], NDArray[np.int64]]:
    """Each match of an index value (in sorted runs) with a key: (key's position, rowid).

    Raises ``ValueError`` if the index is damaged.
    """
    bits = _entry_bits(len(rowids))
    low = _index_values(keys, bits)
    positions: list[NDArray[np.intp]] = []
    found: list[NDArray[np.int64]] = []
    for values in runs:
        left = np.searchsorted(values, low, side="left")
        spans = np.searchsorted(values, low | ((1 << bits) - 1), side="right") - left
        starts = np.repeat(left - (np.cumsum(spans) - spans), spans)
        entries = values[starts + np.arange(int(spans.sum()))] & ((1 << bits) - 1)
        if len(entries) and int(entries.max()) >= len(rowids):
            raise ValueError("an entry number is out of range")
        positions.append(np.repeat(np.arange(len(keys)), spans))
        found.append(rowids[entries])
    if not found:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64)
    return np.concatenate(positions), np.concatenate(found).astype(np.int64, copy=False)


def _save_index(path: Path, arrays: Iterable[NDArray[np.int64]]) -> None:
    """Write the key index's arrays beside ``path`` and rename it over; a failure leaves none.

    A full disk fails the write half-way: the partial file is removed, and the old
    index (if any) stays, which is still right for the rows it covers.
    """
    temporary = path.with_name(path.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)  # left by a run that was killed; a link is removed, not followed
    try:
        _write_arrays(temporary, arrays)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _write_arrays(path: Path, arrays: Iterable[NDArray[Any]]) -> None:
    """Arrays one after another in ``.npy`` format, in one file that can be memory-mapped.

    Not ``.npz``: numpy reads a zip member whole, so a run over five files would read
    the whole index to binary-search it for a few hundred keys.
    """
    # A new file (O_EXCL), never a link's target (O_NOFOLLOW).
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_BINARY", 0)
    with os.fdopen(os.open(path, flags, 0o600), "wb") as handle:
        for array in arrays:
            _NPY_FORMAT.write_array(handle, np.ascontiguousarray(array), allow_pickle=False)


def _load_index(path: Path) -> tuple[list[NDArray[np.int64]], NDArray[np.int64]]:
    """The index's sorted runs and the rowids they number, memory-mapped (read on use)."""
    arrays: list[NDArray[Any]] = []
    flags = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_BINARY", 0)
    with os.fdopen(os.open(path, flags), "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        while handle.tell() < size:
            version = _NPY_FORMAT.read_magic(handle)
            if version not in ((1, 0), (2, 0)):
                raise ValueError("not a corpuslint key index")
            if version == (1, 0):
                shape, fortran, dtype = _NPY_FORMAT.read_array_header_1_0(handle)
            else:
                shape, fortran, dtype = _NPY_FORMAT.read_array_header_2_0(handle)
            if fortran or dtype != np.int64 or len(shape) != 1:
                raise ValueError("not a corpuslint key index")
            offset = handle.tell()
            count = shape[0]
            if offset + count * dtype.itemsize > size:
                raise ValueError("the key index is cut short")
            if count:
                arrays.append(np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape))
            else:
                arrays.append(np.zeros(0, dtype=dtype))
            handle.seek(offset + count * dtype.itemsize)
    if not arrays:
        raise ValueError("the key index is empty")
    return arrays[:-1], arrays[-1]


class _Guard(contextlib.AbstractContextManager[None]):
    """Turns database and disk errors into a warning and disables the cache."""

    def __init__(self, cache: Cache, action: str) -> None:
        self.cache = cache
        self.action = action

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> bool:
        if isinstance(error, _CACHE_ERRORS):
            self.cache.warnings.append(
                f"cache {self.action} failed ({error}); running without the cache"
            )
            if self.cache._db is not None:
                with contextlib.suppress(sqlite3.Error):
                    self.cache._db.close()
            self.cache._db = None
            return True
        return False


def clean(root: Path) -> tuple[Path, bool]:
    """Delete the project's cache folder: where it is, and whether there was one.

    A link in its place is removed, not followed (``CacheError`` if that fails).
    """
    import shutil

    directory = directory_for(root)
    try:
        info = os.lstat(directory)
    except FileNotFoundError:
        return directory, False
    if stat.S_ISDIR(info.st_mode):
        shutil.rmtree(directory)  # removes links inside, never what they point to
    else:
        os.unlink(directory)
    return directory, True
