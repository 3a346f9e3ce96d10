"""Exact and near-duplicate detection, laid out as small file-based stages so it scales past one machine.

signatures   per input shard, inside the document task: MinHash of the match key's word n-grams (signatures.py)
buckets      one task per range of LSH bands: documents that share a band are candidates; a candidate pair
             is kept if its signatures agree on at least the threshold (buckets.py)
clusters     one task: union-find over exact copies and verified pairs; one document kept per cluster by
             the keep policy, with the cluster's size and the outlets that ran the story (clusters.py)
finalize     per shard, in pipeline.py: apply the decisions

Every file records the parameters it was made with, and each stage checks them against what it expects, so
a stale or mismatched file is a clear error, never a silent wrong answer.
"""
