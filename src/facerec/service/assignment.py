"""Faces of one photo to people, jointly: each person at most once, the total similarity as high as
it can be (the Hungarian method, scipy's ``linear_sum_assignment``).

Greedy assignment (each face takes its best person, in some order) gives a person to the wrong face
when two faces both resemble them; solving the assignment as a whole does not. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from facerec.domain import Candidate, Decision, DecisionRule, PersonRef
from facerec.service.decisions import decide


@dataclass(frozen=True)
class Assigned:
    decision: Decision
    match: Candidate | None  # the person given to this face (match or needs_review)
    candidates: tuple[Candidate, ...]  # this face's candidates, less people given to other faces


def assign(faces: Sequence[Sequence[Candidate]], rule: DecisionRule) -> list[Assigned]:
    """One result per face, in order. ``faces[i]`` are face i's candidates (people, best first).

    Only pairs at or above ``rule.review_from`` can be assigned. Each face's decision is then the
    usual rule (threshold, band, margin) over its candidates without the people given to other
    faces: a look-alike who is elsewhere in the photo is no reason for doubt.
    """
    people: dict[PersonRef, int] = {}
    for candidates in faces:
        for c in candidates:
            if c.similarity >= rule.review_from:
                people.setdefault(c.person, len(people))
    given: dict[int, Candidate] = {}
    if people:
        # Weights are similarity + 2 (always > 0), so that no face is left without an eligible
        # person for the sake of the total.
        weight = np.zeros((len(faces), len(people)))
        for i, candidates in enumerate(faces):
            for c in candidates:
                column = people.get(c.person)
                if column is not None and c.similarity >= rule.review_from:
                    weight[i, column] = c.similarity + 2.0
        rows, columns = linear_sum_assignment(weight, maximize=True)
        by_column = {index: person for person, index in people.items()}
        for i, j in zip(rows, columns, strict=True):
            if weight[i, j] > 0:
                person = by_column[int(j)]
                given[int(i)] = next(c for c in faces[int(i)] if c.person == person)

    results = []
    for i, candidates in enumerate(faces):
        others = {c.person for f, c in given.items() if f != i}
        remaining = [c for c in candidates if c.person not in others]
        own = given.get(i)
        if own is None:
            results.append(Assigned(Decision.UNKNOWN, None, tuple(remaining)))
            continue
        # Put the face's own person first: on a tie of similarity, decide() must look at them.
        ordered = [own, *(c for c in remaining if c.person != own.person)]
        decision, best = decide(ordered, rule)
        results.append(Assigned(decision, best, tuple(ordered)))
    return results
