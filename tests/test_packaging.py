"""What is installed beside facerec: one OpenCV, the headless one (``opencv-python`` and
``opencv-python-headless`` both install ``cv2`` into the same folder, so the second one installed
overwrites the first's files)."""

from __future__ import annotations

import re
from importlib import metadata

NOT_HEADLESS = ("opencv-python", "opencv-contrib-python")


def installed(name: str) -> bool:
    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def requirement_names(distribution: str) -> set[str]:
    """The names that ``distribution`` requires, extras included, and what those require in turn
    (as far as they are installed)."""
    names: set[str] = set()
    waiting = [distribution]
    while waiting:
        for requirement in metadata.requires(waiting.pop()) or []:
            found = re.match(r"[A-Za-z0-9._-]+", requirement)
            name = found.group(0).lower().replace("_", "-") if found else ""
            if name and name not in names:
                names.add(name)
                if installed(name):
                    waiting.append(name)
    return names


def test_only_the_headless_opencv_is_installed() -> None:
    assert installed("opencv-python-headless")
    assert [name for name in NOT_HEADLESS if installed(name)] == [], (
        "remove it and reinstall opencv-python-headless (pip install --force-reinstall --no-deps); "
        "scripts/test installs insightface with --no-deps for this reason"
    )


def test_nothing_facerec_installs_requires_the_opencv_with_a_gui() -> None:
    assert requirement_names("facerec") & set(NOT_HEADLESS) == set()
