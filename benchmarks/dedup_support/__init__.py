"""Support for benchmarks/dedup.py: corpora and their ground truth, the synthetic generator, the datatrove
pipeline (run in its own virtualenv), process-tree measurement and the quality scores."""
