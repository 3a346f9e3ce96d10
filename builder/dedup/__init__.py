"""Exact copies, versions and copies, laid out as small file-based stages so it scales past one machine.

Two relations, each with its own evidence and keep policy (evidence.py):
  versions  one site's edits of one article: same site, the same (or nearly the same) title or URL, a close
            date, and a body contained in the other or similar above a lower bar; the latest is kept
  copies    one story on any sites: estimated Jaccard >= near_dup.threshold; the earliest is kept

signatures   per shard (a pipeline phase): match hash, MinHash of the match key's word n-grams and the shingle
             count of each document (signatures.py), and the shard's dedup arrays: signatures and keys to read
             by row, band and block entries grouped by partition (pages.py)
exact        one task over a few bytes per document: each row's exact group and whether its title or URL block
             recurs (exact.py)
buckets      one task per partition of the LSH band keys (tuned for near_dup.candidate_threshold) and of the
             (site, title) and URL blocks (keys.py), more partitions on a larger corpus: every pair of a bucket
             is a candidate (bounded for giant buckets, candidates.py), judged on the two pages' signatures and
             keys and written with its relation (buckets.py)
clusters     one task: exact groups, then version groups (each a kept page and the pages it is a version pair
             with), then copy clusters (connected components), over integer arrays; one page kept per group by
             its relation's policy (keep.py, clusters.py)
finalize     per shard, in pipeline.py: apply the decisions

Every file records the parameters it was made with, and each stage checks them against what it expects, so
a stale or mismatched file is a clear error, never a silent wrong answer.
"""
