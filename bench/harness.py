"""What the benchmarks share: the tests' own helpers (a real server on a free port, a scratch
MySQL/MariaDB database), reachable from a script run as ``python bench/NAME.py``, and what only the
benchmarks need (a process's memory from /proc, and the line that heads every results file: the
machine it ran on and the command that reruns it).

A benchmark helper, not a test.
"""

from __future__ import annotations

import os
import platform
import re
import shlex
import sys
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))  # the tests' package, as pytest finds it

# As pytest's settings do: starlette's TestClient, imported by the tests' conftest, suggests httpx2.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from tests.conftest import _mysql_database, facerec_environment  # noqa: E402
from tests.serving import Server, free_port, serve  # noqa: E402

__all__ = [
    "REPO_ROOT",
    "Server",
    "facerec_environment",
    "free_port",
    "fresh_database",
    "markdown_table",
    "mysql_database",
    "provenance",
    "publish",
    "serve",
    "status_kib",
    "write_results",
]

mysql_database = contextmanager(_mysql_database)
"""A new, empty database on the MySQL/MariaDB server of the URL given; its URL; dropped afterwards."""


@contextmanager
def fresh_database(server_url: str | None) -> Iterator[str | None]:
    """None (facerec's SQLite default) without a server URL; otherwise a new, empty database on that
    MySQL/MariaDB server, dropped afterwards."""
    if server_url is None:
        yield None
        return
    with mysql_database(server_url) as url:
        yield url


def status_kib(field: str, pid: int | str = "self") -> int:
    """A memory figure of /proc/PID/status in KiB: ``VmRSS`` (resident now), ``VmHWM`` (its peak)."""
    return _kib(Path(f"/proc/{pid}/status"), field)


def markdown_table(
    columns: Sequence[str], rows: Iterable[Sequence[object]], align: str = ""
) -> str:
    """A Markdown table; ``align`` has a letter a column, ``l``, ``r`` or ``c`` (by default the
    first column left, the others right)."""
    align = align or "l" + "r" * (len(columns) - 1)
    rules = {"l": "---", "r": "--:", "c": ":-:"}
    rule = "|" + "|".join(rules[a] for a in align) + "|"
    cells = ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return "\n".join(["| " + " | ".join(columns) + " |", rule, *cells])


def publish(report: str, out: Path) -> None:
    """Print a benchmark's report and write it to ``out`` (a results file)."""
    print(report)
    write_results(report, out)


def write_results(report: str, out: Path) -> None:
    """Write a benchmark's report, already printed, to ``out`` (a results file)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report.rstrip("\n") + "\n", encoding="utf-8")
    print(f"written to {out}")


def provenance() -> str:
    """The line that heads a results file: when and on what machine it ran, and how to rerun it."""
    return f"Ran {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {_machine()}. Rerun: `{_command()}`."


def _machine() -> str:
    model = platform.machine()
    memory = ""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
        model = next(
            line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line
        )
        total_kib = _kib(Path("/proc/meminfo"), "MemTotal")
        memory = f", {total_kib / 1024**2:.0f} GiB"
    except (OSError, StopIteration):
        pass
    return (
        f"{model} ({os.cpu_count()} cores{memory}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def _kib(path: Path, field: str) -> int:
    for line in path.read_text(encoding="ascii").splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in {path}")


def _command() -> str:
    """This run's command line, from the repository root, passwords in URLs masked."""
    script = Path(sys.argv[0]).resolve()
    if script.is_relative_to(REPO_ROOT):
        script = script.relative_to(REPO_ROOT)
    words = [str(script), *(re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", a) for a in sys.argv[1:])]
    return shlex.join([".venv/bin/python", *words])
