"""Small file-system steps that survive a crash or a kill at any point.

A step is either done completely or not visible: files are written and fsynced under a temporary
name, then renamed (an atomic replace on POSIX), and the directory holding the new name is
fsynced so the rename itself is durable.

Every file and directory gets its mode set explicitly (`fchmod` / `chmod` after creation): the
payment systems read as other users, so the publisher's umask must not decide who can read.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

READ_ONLY_FILE = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH  # 0o444
READ_ONLY_DIR = READ_ONLY_FILE | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH  # 0o555
#: Files the publisher changes later (CURRENT, the publication log, the lock): readable by all.
SHARED_FILE = 0o644
#: Directories the publisher adds to (period, region): listable by all.
SHARED_DIR = 0o755


def fsync_dir(path: Path) -> None:
    """Flush a directory's entries (new, renamed or removed names) to disk."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file_synced(path: Path, content: bytes, *, mode: int = SHARED_FILE) -> None:
    """Create `path` (it must not exist) with exactly `mode`, write `content` and fsync it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(fd, mode)  # os.open's mode is filtered by the umask
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_file_atomically(path: Path, content: bytes, *, temp_prefix: str) -> None:
    """Make `path` hold `content`, readers seeing either the old or the new content, never a mix."""
    temp = path.parent / f"{temp_prefix}{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        temp.unlink()  # a leftover of a killed process that had the same pid
    write_file_synced(temp, content)
    os.replace(temp, path)
    fsync_dir(path.parent)


def make_dirs_synced(path: Path) -> None:
    """`mkdir -p` that also fsyncs the parent of every directory it creates."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another publisher may create it first
            directory.mkdir()
            os.chmod(directory, SHARED_DIR)  # mkdir's mode is filtered by the umask
        fsync_dir(directory.parent)


@contextlib.contextmanager
def exclusive_lock(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive flock on `lock_path`; the kernel releases it if the process dies."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, SHARED_FILE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def remove_tree(path: Path) -> None:
    """Remove a directory tree, including read-only files and directories."""
    for root, dirs, _files in os.walk(path):
        for name in dirs:
            os.chmod(os.path.join(root, name), SHARED_DIR)
    os.chmod(path, SHARED_DIR)
    shutil.rmtree(path)


def append_line_synced(path: Path, line: bytes, *, mode: int = SHARED_FILE) -> None:
    """Append one line to an append-only log file (created with exactly `mode`) and fsync it.

    Call it under the lock of whoever owns the log: appends of one writer never interleave. A
    torn last line (an append a crash cut short, never acknowledged) is dropped first, so the new
    line starts a line of its own: the only write that is not an append.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, mode)
    try:
        os.fchmod(fd, mode)
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            tail = os.pread(fd, min(size, 1 << 20), max(0, size - (1 << 20)))
            os.ftruncate(fd, size - len(tail) + tail.rfind(b"\n") + 1)
        view = memoryview(line if line.endswith(b"\n") else line + b"\n")
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
