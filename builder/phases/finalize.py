"""The finalize phase, per shard: dedup's decisions applied (a dropped copy becomes a reject row pointing to the
kept id), the cluster columns added and each kept row given its split; then, on the kept rows, the decontamination
verdicts applied (builder/decontaminate/) and the tokens counted (builder/tokens.py) -> final/NNNNN.

A split is drawn for a cluster's first member in input order (`clusters.anchors`), not its kept page: a later copy
or newer version of a story joins the split its cluster already has."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from builder.decontaminate.check import apply as decontaminate
from builder.dedup.clusters import ANCHOR
from builder.errors import BuildError
from builder.files import write_parquet
from builder.jobs import ShardJob
from builder.schema import LATE_FIELDS, REJECTED_FEATURES, final_schema, rejects_table
from builder.split import split_of
from builder.tokens import count_kept


def run_finalize(job: ShardJob) -> None:
    layout, shard = job.layout, job.shard
    docs = pq.read_table(layout.signed(shard.index)).to_pylist()
    decisions = {d["id"]: d for d in pq.read_table(layout.decisions(shard.index)).to_pylist()}
    if set(decisions) != {d["id"] for d in docs}:
        raise BuildError(f"dedup decisions for shard {shard.index} do not match its documents; "
                         "delete OUT/.build and rebuild")
    kept, rejects = [], []
    for row in docs:
        decision = decisions[row["id"]]
        if decision["keep"]:  # work-only columns fall away: the final schema does not have them
            row.update({name: decision[name] for name in LATE_FIELDS}, split=split_of(decision[ANCHOR], job.cfg.split))
            kept.append(row)
        else:
            rejects.append({**{k: row.get(k) for k in REJECTED_FEATURES}, "stage": decision["stage"],
                            "reason": decision["reason"], "kept_id": decision["kept_id"],
                            "detail": f"cluster {decision['dup_cluster']} of {decision['dup_count']}"})
    kept = decontaminate(job.cfg.decontaminate, layout, shard.index, kept, rejects)  # the kept rows only
    count_kept(job.cfg.tokens, kept, layout, shard.index)  # on what is published
    write_parquet(pa.Table.from_pylist(kept, schema=final_schema()), layout.final(shard.index))
    write_parquet(rejects_table(rejects), layout.rejects("final", shard.index))
