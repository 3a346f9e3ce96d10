"""Where tasks run does not change what they write: local processes and a real local Ray instance."""

import random

import pytest

from builder.errors import BuildError
from builder.executor import LocalExecutor
from conftest import article, build, write_jsonl


def corpus(root):
    rng = random.Random(5)
    for f in range(3):
        write_jsonl(root / f"feed-{f}.jsonl", [{"url": f"https://sabq.org/{f}/{i}", "text": article(rng)}
                                               for i in range(5)])
    return root


def parquet_bytes(out):
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.glob("*/*.parquet"))}


@pytest.mark.slow
def test_ray_executor_writes_the_same_files_as_the_local_one(tmp_path):
    src = corpus(tmp_path / "in")
    build(src, tmp_path / "local")
    stats = build(src, tmp_path / "ray", "executor=ray", "executor.num_cpus=2")
    assert stats["totals"]["kept"] == 15
    assert parquet_bytes(tmp_path / "ray") == parquet_bytes(tmp_path / "local")


@pytest.mark.slow
def test_switching_executor_resumes_instead_of_starting_over(tmp_path):
    src = corpus(tmp_path / "in")
    out = tmp_path / "out"
    build(src, out)
    docs = out / ".build" / "work" / "docs" / "00000.parquet"
    written = docs.stat().st_mtime_ns
    build(src, out, "executor.workers=2")
    assert docs.stat().st_mtime_ns == written


def test_workers_must_be_positive():
    with pytest.raises(BuildError, match="at least 1"):
        LocalExecutor(workers=0)


def test_a_build_leaves_the_garbage_collector_as_it_found_it():
    """The stages' heap is frozen and young objects collected less often during a build, not after it (a process
    that runs several builds, like this one, keeps neither)."""
    import gc

    from builder.heap import GC_YOUNG, heap_restored, settle_heap

    before = gc.get_threshold()
    with heap_restored():
        settle_heap()
        assert gc.get_freeze_count() > 0 and gc.get_threshold()[0] == GC_YOUNG
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
