"""Soft decisions: a score becomes a share or a probability through the logistic curve.

Groups and the government decide by comparing a score with a threshold. A hard
comparison makes every force irrelevant except near the threshold; the logistic makes
each force move the decision at the margin, and the softness says how sharp it is.
"""

from __future__ import annotations

import math


def logistic(score: float, softness: float) -> float:
    """``1 / (1 + exp(-score / softness))``; a step at 0 when ``softness`` is 0."""
    if softness <= 0:
        return 1.0 if score > 0 else 0.0
    z = score / softness
    if z < -60.0:
        return 0.0
    if z > 60.0:
        return 1.0
    return 1.0 / (1.0 + math.exp(-z))
