"""One build of a costly object per process and config: a worker builds its stages and reads their word lists
once, not once per shard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_built: dict[Callable, tuple[str, Any]] = {}


def built_for(cfg: Any, factory: Callable[[Any], T], depends: Any = None) -> T:
    """`factory(cfg)`, built once per process and config (the last config's kept, per factory): a worker builds
    its stages and reads their word lists once, not once per shard. `depends`, when given, is the part of `cfg`
    the factory reads (a build into another folder then reuses the stages). What it builds must keep no state
    between documents."""
    key = repr(cfg if depends is None else depends)
    last = _built.get(factory)
    if last is None or last[0] != key:
        last = _built[factory] = (key, factory(cfg))
    return last[1]
