"""Timing for the benchmarks on a shared, noisy machine: contenders take turns photo by photo, and
each photo's median over the repeats is what counts.

A benchmark helper, not a test.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from photos import Photo


@dataclass(frozen=True)
class Contender:
    """One pipeline under test: ``run`` is the whole of it on one photo (returns the faces
    embedded), ``stages`` the same work cut into timed parts (seconds per stage, faces)."""

    label: str
    run: Callable[[Photo], int]
    stages: Callable[[Photo], tuple[dict[str, float], int]]


@dataclass(frozen=True)
class Timing:
    """One contender on one set of photos; every figure is a median over the repeats of each
    photo, averaged over the photos (so each photo weighs the same however slow it is)."""

    label: str
    wall_ms: list[list[float]]  # per photo, per repeat: the whole pipeline
    cpu_ms: list[list[float]]  # the same runs' process CPU time (all threads, spinning included)
    stages_ms: dict[str, float]  # per image
    faces: int

    @property
    def per_image_ms(self) -> float:
        return statistics.fmean(statistics.median(runs) for runs in self.wall_ms)

    @property
    def images_per_s(self) -> float:
        return 1000 / self.per_image_ms

    @property
    def cpu_per_image_ms(self) -> float:
        """CPU time per image: what the work costs when every core is busy."""
        return statistics.fmean(statistics.median(runs) for runs in self.cpu_ms)

    @property
    def spread_pct(self) -> float:
        """How noisy the machine was: (slowest - fastest) / median of a photo's repeats, the
        median over the photos."""
        return statistics.median(
            (max(runs) - min(runs)) / statistics.median(runs) * 100 for runs in self.wall_ms
        )


def time_contenders(
    contenders: Sequence[Contender], photos: Sequence[Photo], repeats: int
) -> list[Timing]:
    """A warm-up pass, then ``repeats`` rounds. In each round, photo by photo, every contender runs
    the photo whole and then cut into stages, in an order that rotates: on a shared, noisy machine,
    the contenders of one photo run within a second of each other and see the same load."""
    for contender in contenders:
        for photo in photos:
            contender.run(photo)
    wall = {c.label: [[] for _ in photos] for c in contenders}
    cpu = {c.label: [[] for _ in photos] for c in contenders}
    staged: dict[str, list[list[dict[str, float]]]] = {
        c.label: [[] for _ in photos] for c in contenders
    }
    faces: dict[str, list[int]] = {c.label: [0] * len(photos) for c in contenders}
    for r in range(repeats):
        for i, photo in enumerate(photos):
            turn = (r + i) % len(contenders)
            order = [*contenders[turn:], *contenders[:turn]]
            for contender in order:
                start, start_cpu = time.perf_counter(), time.process_time()
                contender.run(photo)
                wall[contender.label][i].append((time.perf_counter() - start) * 1000)
                cpu[contender.label][i].append((time.process_time() - start_cpu) * 1000)
            for contender in order:
                times, found = contender.stages(photo)
                staged[contender.label][i].append(times)
                faces[contender.label][i] = found
    return [
        Timing(
            label=c.label,
            wall_ms=wall[c.label],
            cpu_ms=cpu[c.label],
            stages_ms={
                stage: statistics.fmean(
                    statistics.median(t[stage] for t in runs) * 1000 for runs in staged[c.label]
                )
                for stage in staged[c.label][0][0]
            },
            faces=sum(faces[c.label]),
        )
        for c in contenders
    ]
