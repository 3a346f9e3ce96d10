"""The corpus phases that are no package of their own: documents, signatures, finalize (see `PHASES` in
builder/pipeline.py for the order of every phase)."""
