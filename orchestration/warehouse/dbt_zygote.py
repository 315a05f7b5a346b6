"""A warm dbt for in-process month runs: one process imports dbt once and forks each dbt command.

Every dbt command spends ~2.3 s importing dbt (most of it generating dataclass code) and ~0.5 s
importing dbt-duckdb before it reads its manifest: three commands a month, all before any SQL.
`make demo` and the benchmarks run the month's jobs in one Python process, so they start this
*zygote* first: it imports dbt and dbt-duckdb while Dagster loads, then listens on a Unix socket.
`platform-dbt` (orchestration/warehouse/dbt_command.py) finds the socket in PLATFORM_DBT_ZYGOTE
and, instead of importing dbt itself, hands the zygote its arguments, environment, working folder
and standard streams; the zygote forks a child that runs dbt's command line exactly as
`platform-dbt` would and reports the exit status back. The client forwards SIGINT and SIGTERM to
that child, so a cancelled Dagster step stops dbt as before.

The zygote forks before any database or thread exists (it only imports), and it exits when the
process that started it is gone. Without the variable, or when the socket does not answer,
`platform-dbt` runs dbt itself: the zygote only ever saves time, it is never needed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

#: Environment variable holding the zygote's socket path (set by `warm_dbt`).
ZYGOTE_ENV = "PLATFORM_DBT_ZYGOTE"
#: How often the zygote checks that the process that started it is still there.
_PARENT_CHECK_SECONDS = 1.0
_MAX_REQUEST_BYTES = 1 << 20


# ---------------------------------------------------------------- client side (platform-dbt)
def run_in_zygote(socket_path: str, argv: list[str]) -> int | None:
    """Run one dbt command in a child of the zygote; its exit status, or None if no zygote answers.

    The request carries argv, this process's environment and working folder, and its standard
    streams (as file descriptors), so the child writes where this process would have written.
    """
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        connection.connect(socket_path)
    except OSError:
        connection.close()
        return None
    with connection:
        request = {"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}
        socket.send_fds(connection, [json.dumps(request).encode()], [0, 1, 2])
        started = connection.recv(_MAX_REQUEST_BYTES)
        if not started:
            return None  # the zygote closed without forking: run dbt here instead
        child = json.loads(started)["pid"]
        forward = lambda signum, _frame: _signal_child(child, signum)  # noqa: E731
        signal.signal(signal.SIGINT, forward)
        signal.signal(signal.SIGTERM, forward)
        finished = connection.recv(_MAX_REQUEST_BYTES)
    if not finished:
        print("platform-dbt: the dbt process ended without an exit status", file=sys.stderr)
        return 2
    return int(json.loads(finished)["status"])


def _signal_child(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


# ---------------------------------------------------------------- zygote side
def serve(socket_path: str, parent_pid: int) -> None:
    """Import dbt, then fork a child per request until terminated or the parent process is gone.

    Children are waited for (not ignored), so their CPU time and peak memory count in this
    process's resource usage for children, and in its parent's once it has waited for the zygote.
    """
    import dbt.adapters.duckdb  # noqa: F401 -- imported once here, inherited by every child
    import dbt.cli.main  # noqa: F401

    signal.signal(signal.SIGTERM, _stop)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    staging_path = f"{socket_path}.{os.getpid()}"
    server.bind(staging_path)
    server.listen(8)
    os.replace(staging_path, socket_path)  # the socket appears only once it accepts commands
    server.settimeout(_PARENT_CHECK_SECONDS)
    try:
        while os.getppid() == parent_pid:
            _reap_finished_children()
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            if os.fork() == 0:
                server.close()
                _run_child(connection)  # never returns
            connection.close()
    except _Stopped:
        pass
    finally:
        server.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(socket_path)
        _wait_for_children()


class _Stopped(Exception):
    """SIGTERM: stop accepting commands."""


def _stop(_signum, _frame) -> None:
    raise _Stopped


def _reap_finished_children() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _wait_for_children() -> None:
    with contextlib.suppress(ChildProcessError):
        while True:
            os.waitpid(-1, 0)


def _run_child(connection: socket.socket) -> None:
    """In a forked child: take over the client's streams, environment and folder, and run dbt."""
    from orchestration.process import exit_without_teardown
    from orchestration.warehouse.dbt_command import run_dbt_cli

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    connection.settimeout(None)
    message, fds, _, _ = socket.recv_fds(connection, _MAX_REQUEST_BYTES, 3)
    request = json.loads(message)
    for target, fd in zip((0, 1, 2), fds, strict=True):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = request["argv"]
    connection.send(json.dumps({"pid": os.getpid()}).encode())
    finished = threading.Event()
    threading.Thread(target=_end_with_client, args=(connection, finished), daemon=True).start()
    status = run_dbt_cli()
    logging.shutdown()  # dbt's log file and the streams are complete before the client hears back
    sys.stdout.flush()
    sys.stderr.flush()
    finished.set()
    with contextlib.suppress(OSError):
        connection.send(json.dumps({"status": status}).encode())
    exit_without_teardown(status)


def _end_with_client(connection: socket.socket, finished: threading.Event) -> None:
    """Terminate this dbt child if its client goes away first (e.g. killed after a cancelled
    step), as a directly started dbt would have been: nobody would read its output any more."""
    with contextlib.suppress(OSError):
        connection.recv(1)  # the client never sends again: this returns when it closes
    if not finished.is_set():
        os.kill(os.getpid(), signal.SIGTERM)


# ---------------------------------------------------------------- lifecycle
@contextlib.contextmanager
def warm_dbt() -> Iterator[str]:
    """Start a zygote for this process's dbt commands and export its socket in PLATFORM_DBT_ZYGOTE.

    Returns at once: the zygote imports dbt in the background, and a dbt command that starts
    before it listens simply runs on its own. Stopped (and the variable removed) on exit.
    """
    folder = Path(tempfile.mkdtemp(prefix="platform-dbt-"))
    socket_path = str(folder / "dbt.sock")
    zygote = subprocess.Popen(
        [sys.executable, "-m", "orchestration.warehouse.dbt_zygote", socket_path, str(os.getpid())],
        stdin=subprocess.DEVNULL,
    )
    previous = os.environ.get(ZYGOTE_ENV)
    os.environ[ZYGOTE_ENV] = socket_path
    try:
        yield socket_path
    finally:
        if previous is None:
            os.environ.pop(ZYGOTE_ENV, None)
        else:
            os.environ[ZYGOTE_ENV] = previous
        zygote.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            zygote.wait(timeout=5)
        for leftover in folder.iterdir():
            leftover.unlink(missing_ok=True)
        folder.rmdir()


def wait_until_listening(socket_path: str, timeout: float = 60.0) -> bool:
    """True once the zygote listens on `socket_path` (`warm_dbt` itself never waits: for tests)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(socket_path):
            return True
        time.sleep(0.05)
    return False


if __name__ == "__main__":
    from orchestration.process import exit_without_teardown

    serve(sys.argv[1], int(sys.argv[2]))
    exit_without_teardown(0)  # freeing dbt's modules would take ~0.3 s of the caller's wait
