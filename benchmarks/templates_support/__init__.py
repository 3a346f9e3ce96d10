"""Support for benchmarks/templates.py: real article bodies read at run time, the synthetic outlet templates that
wrap them in site furniture with a generated gold, the scorer, and the real-corpus repeated-line measures."""
