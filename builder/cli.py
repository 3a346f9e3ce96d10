"""`build-corpus`: compose the Hydra config, run the build, print a summary.

Errors the user can fix (a missing input, an unwritable output, a bad stage config) print as one line and
exit with status 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import MissingMandatoryValue

from builder.config import Config, conf_dir, register
from builder.errors import BuildError

log = logging.getLogger("builder")


def summary(stats: dict, out: str) -> str:
    t = stats["totals"]
    lines = [f"{'documents in':<34}{t['entered']:>8}", f"{'kept':<34}{t['kept']:>8}"]
    lines += [f"  {split:<32}{n:>8}" for split, n in stats["output"]["splits"].items()]
    lines.append(f"{'rejected':<34}{t['rejected']:>8}")
    lines += [f"  {reason:<32}{n:>8}" for reason, n in stats["rejected_by"].items()]
    lines.append(f"{'seconds':<34}{stats['seconds']:>8}")
    lines.append(f"output: {out}  (load with datasets.load_dataset({out!r}))")
    return "\n".join(lines)


def typed_config(cfg: DictConfig) -> Config:
    """The composed config as the typed objects of builder/config.py, with the output folder made absolute
    (one per job in a sweep)."""
    cfg = cfg.copy()
    hc = HydraConfig.get() if HydraConfig.initialized() else None
    if hc is not None and hc.mode == RunMode.MULTIRUN:
        cfg.output.path = hc.runtime.output_dir  # one folder per sweep job, named by its overrides
    cfg.output.path = str(Path(cfg.output.path).absolute())
    return OmegaConf.to_object(cfg)


def run(cfg: DictConfig) -> dict:
    from builder.pipeline import build  # heavy imports after Hydra has parsed the command line

    return build(typed_config(cfg))


def _main(cfg: DictConfig) -> None:
    try:
        stats = run(cfg)
    except MissingMandatoryValue as err:
        print(f"build-corpus: error: {err.full_key} has no value: set it, e.g. {err.full_key}=...", file=sys.stderr)
        sys.exit(2)
    except BuildError as err:
        print(f"build-corpus: error: {err}", file=sys.stderr)
        sys.exit(2)
    print(summary(stats, typed_config(cfg).output.path))


register()
main = hydra.main(config_path=str(conf_dir()), config_name="config", version_base="1.3")(_main)

if __name__ == "__main__":
    main()
