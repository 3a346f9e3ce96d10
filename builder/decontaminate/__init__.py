"""Benchmark decontamination: documents that hold word n-grams of an evaluation set are dropped or tagged.

sets      one task per evaluation set (`decontaminate.sets`: local JSONL, Parquet, CSV or txt files, a folder of
          them, a Hugging Face dataset id, or a name from conf/data/eval_sets.yaml): its items read in batches,
          each item's n-grams hashed and spilled to one file per partition of the hashes (sets.py, index.py)
index     one task per partition: every set's entries of that partition sorted into one array (index.py), so a task
          holds a 1/partitions share of the n-grams, however large the sets
check     per shard, on the text dedup sees (after the template cuts): each document's n-grams looked up partition by
          partition, the hits written with their set, split and n-gram (check.py)
apply     in the finalize phase, on the rows dedup kept: `decontaminate.action=drop` turns a hit into a reject row
          (stage decontaminate, reason contaminated), `tag` fills the `contamination` column (check.py)

The index and the sets run before the documents phase, so a set that cannot be read stops the build before the
long part. The check sits beside dedup, not before it: dedup never sees the verdicts, so turning decontamination
on moves no clean document to another cluster or split. The cost is that a contaminated page dedup kept takes its
dropped copies with it (they stay in `rejected` as copies, pointing at it).

N-grams are of the dedup key's words (builder/arabic.py `dedup_key`, lower-cased): the match key flattens the
spelling variants (hamza forms, alef maqsura, ta marbuta, diacritics, tatweel, digits), and the dedup key also drops
punctuation and line breaks, which an evaluation item and an article never share: an MCQ's options, a quote's
marks. An n-gram is a 64-bit hash of its words (ngrams.py); a chance collision is about one in 10^12 per document
n-gram against a 10^7-entry index.
"""
