"""Where the real evaluation corpora are: one place for every benchmark.

They are read in place (several licences forbid copying them into the project): `../shared/eval` beside the
checkout, or the folder named by the environment variable ARABIC_NEWS_EVAL.
"""

from __future__ import annotations

import os
from pathlib import Path

EVAL = Path(os.environ.get("ARABIC_NEWS_EVAL") or Path(__file__).resolve().parents[2] / "shared" / "eval")

