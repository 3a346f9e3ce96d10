"""Keep policies: which page of a group stays, as a rank per document (the lowest rank is kept).

A policy is a list of rules, applied in order, then the id to break ties:
earliest         the first published (unknown dates last): the original of a syndicated story
latest           the last published (unknown dates last): the most complete edit of an article
outlet_priority  the outlet listed first in near_dup.outlet_priority (unlisted outlets after)
longest          the most characters
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from builder.errors import BuildError

RULES = ("earliest", "latest", "outlet_priority", "longest")
_LAST = np.iinfo(np.int64).max


def ranks(policy: list[str], *, ids: np.ndarray, published: np.ndarray, known: np.ndarray, outlets: Sequence,
          n_chars: np.ndarray, priority: list[str], setting: str) -> np.ndarray:
    """rank[i] = position of document i when all are sorted by the policy (then by `ids`: the ids, or their
    order as integers)."""
    keys = []
    for rule in policy:
        if rule == "earliest":
            keys.append(np.where(known, published, _LAST))
        elif rule == "latest":
            keys.append(np.where(known, -published, _LAST))
        elif rule == "outlet_priority":
            where = {o: i for i, o in enumerate(priority)}
            keys.append(np.array([where.get(o, len(where)) for o in outlets], dtype=np.int64))
        elif rule == "longest":
            keys.append(-n_chars.astype(np.int64))
        else:
            raise BuildError(f"unknown keep rule {rule!r} in {setting} ({', '.join(RULES)})")
    order = np.lexsort([ids, *reversed(keys)])  # lexsort sorts by its last key first
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank
