"""`build-corpus`: compose the Hydra config, run the build, print a summary.

Errors the user can fix (an unknown setting or option, a value of the wrong type, a missing input, an unwritable
output, a bad stage config) print as one line and exit with status 2 before any work; Ctrl-C prints one line on
how to resume and exits with 130; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import hydra
from hydra import compose, initialize_config_dir
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra._internal.utils import get_args_parser
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import ConfigCompositionException, MissingConfigException, OverrideParseException
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, MissingMandatoryValue, ValidationError

from builder.config import Config, conf_dir, register
from builder.errors import BuildError
from builder.heap import collect_less
from builder.stats import BuildResult

log = logging.getLogger("builder")

USAGE, INTERRUPTED = 2, 130  # exit statuses: a command line to fix; Ctrl-C (128 + SIGINT, as shells report it)


def summary(stats: BuildResult, out: str) -> str:
    lines = [f"{'documents in':<34}{stats.entered:>8}", f"{'kept':<34}{stats.kept:>8}"]
    lines += [f"  {split:<32}{n:>8}" for split, n in stats.splits.items()]
    lines.append(f"{'rejected':<34}{stats.rejected:>8}")
    lines += [f"  {reason:<32}{n:>8}" for reason, n in stats.rejected_by.items()]
    lines.append(f"{'seconds':<34}{stats.seconds:>8}")
    lines.append(f"output: {out}  (load with datasets.load_dataset({out!r}))")
    return "\n".join(lines)


def fail(message: str, status: int = USAGE) -> NoReturn:
    print(f"build-corpus: {message}", file=sys.stderr)
    sys.exit(status)


def one_line(text: str) -> str:
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())


def settings(node: DictConfig, prefix: str = "", known: bool = True) -> Iterator[tuple[str, bool]]:
    """Each leaf's dotted key, and whether it is a setting: a field of its node's dataclass in builder/config.py,
    or an entry of a dict or list setting (their entries are free). Hydra's `+key=value` adds a key to a typed
    node all the same, and the build would ignore it without a word."""
    node_type = OmegaConf.get_type(node)
    fields = {f.name for f in dataclasses.fields(node_type)} if dataclasses.is_dataclass(node_type) else None
    for key, child in node.items_ex(resolve=False):
        setting = known and (fields is None or key in fields)  # under a key that is none, nothing is
        if isinstance(child, DictConfig):
            yield from settings(child, f"{prefix}{key}.", setting)
        else:
            yield f"{prefix}{key}", setting


def unknown_setting(key: str, cfg: DictConfig) -> str:
    """One line for a key that is no setting of `cfg`, with the nearest setting's name."""
    match = difflib.get_close_matches(key, [k for k, known in settings(cfg) if known], n=1)
    hint = f"did you mean {match[0]}?" if match else "build-corpus --cfg job lists them"
    return f"unknown setting {key} ({hint})"


def check(cfg: DictConfig) -> None:
    """Fail, before any work, on a key the command line added that the typed config does not have."""
    unknown = [key for key, known in settings(cfg) if not known]
    if unknown:
        fail(f"error: {unknown_setting(unknown[0], cfg)}")


class SweepCheck(Callback):
    """Checks every job of a sweep before Hydra writes the sweep folder and starts the first job (named in the
    `hydra.callbacks` of conf/config.yaml): Hydra composes each job before it starts any, but a key added with `+`
    would only fail at its own job's start, after the jobs before it ran."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        [jobs] = BasicSweeper.split_arguments(OverridesParser.create().parse_overrides(config.hydra.overrides.task),
                                              max_batch_size=None)
        for job in jobs:
            try:
                cfg = compose(config.hydra.job.config_name, [*config.hydra.overrides.hydra, *job])
            except (ConfigCompositionException, OverrideParseException) as err:  # Hydra would only warn of it here
                fail(f"error: {explain(err, job)}")
            check(cfg)


def composed(overrides: list[str]) -> DictConfig:
    """The job config of `overrides`: within Hydra's app (a sweep's check), or after Hydra failed and let go."""
    if GlobalHydra.instance().is_initialized():
        return compose("config", overrides)
    with initialize_config_dir(str(conf_dir()), version_base="1.3"):
        return compose("config", overrides)


def known_settings(overrides: list[str]) -> DictConfig:
    """The config the command line's option choices compose (they decide which settings there are), for the names
    a misspelled setting is matched against; the defaults when the choices do not compose either."""
    try:
        return composed([o for o in overrides if "." not in o.partition("=")[0] and "," not in o])
    except (ConfigCompositionException, OverrideParseException):
        return composed([])


def explain(err: ConfigCompositionException | OverrideParseException, overrides: list[str]) -> str:
    """One line for a command line Hydra could not compose, in place of its multi-line report."""
    cause = err.__cause__
    if isinstance(err, MissingConfigException) and err.options is not None and err.missing_cfg_file:
        group, _, option = err.missing_cfg_file.rpartition("/")
        options = [o for o in err.options if not o.endswith("schema")]  # the schemas are no option to pick
        match = difflib.get_close_matches(option, options, n=1)
        hint = f"did you mean {group}={match[0]}?" if match else f"options: {', '.join(options)}"
        return f"unknown option {group}={option} ({hint})"
    if isinstance(cause, ConfigKeyError | ConfigAttributeError) and cause.full_key:
        keys = [o.lstrip("+~").partition("=")[0] for o in overrides]
        key = next((k for k in keys if k == cause.full_key or k.startswith(f"{cause.full_key}.")), cause.full_key)
        return unknown_setting(key, known_settings(overrides))
    if isinstance(cause, ValidationError):
        name = cause.full_key.replace(".", "/")
        if (group := conf_dir() / name).is_dir():  # label.stance=llm, written for label/stance=llm
            value = next((o.partition("=")[2] for o in overrides if o.partition("=")[0] == cause.full_key), "")
            options = sorted(p.stem for p in group.glob("*.yaml") if not p.stem.endswith("schema"))
            hint = f"write {name}={value}" if value in options else f"options: {', '.join(options)}"
            return f"{cause.full_key} is chosen from the option group {name} ({hint})"
        return f"{cause.full_key}: {cause.msg.splitlines()[0]}"  # the rest repeats the key and its types
    if isinstance(err, OverrideParseException):
        return f"cannot read {err.override}: {one_line(err.message)}"
    return one_line(f"{err}: {str(cause).splitlines()[0]}" if cause else str(err))


def output_path(cfg: DictConfig) -> str:
    """The absolute output folder: output.path, or in a sweep the job's folder under it, named by its overrides."""
    hc = HydraConfig.get() if HydraConfig.initialized() else None
    multirun = hc is not None and hc.mode == RunMode.MULTIRUN
    return str(Path(hc.runtime.output_dir if multirun else cfg.output.path).absolute())


def typed_config(cfg: DictConfig) -> Config:
    """The composed config as the typed objects of builder/config.py, with the output folder made absolute
    (one per job in a sweep)."""
    cfg = cfg.copy()
    cfg.output.path = output_path(cfg)
    return OmegaConf.to_object(cfg)


def run(cfg: DictConfig) -> BuildResult:
    from builder.pipeline import build  # heavy imports after Hydra has parsed the command line

    return build(typed_config(cfg))


def _main(cfg: DictConfig) -> None:
    out = output_path(cfg)
    try:
        check(cfg)
        stats = run(cfg)
    except MissingMandatoryValue as err:
        fail(f"error: {err.full_key} has no value: set it, e.g. {err.full_key}=...")
    except BuildError as err:
        fail(f"error: {err}")
    except KeyboardInterrupt:  # the executor has stopped its workers; finished tasks keep their markers
        fail(f"interrupted; rerun the same command to resume (finished work in {out}/.build is kept)", INTERRUPTED)
    print(summary(stats, out))


register()
hydra_main = hydra.main(config_path=str(conf_dir()), config_name="config", version_base="1.3")(_main)


def main() -> None:
    """The console script: Hydra's main, with the command lines Hydra cannot compose (an unknown setting or option,
    a value of the wrong type) reported in one line with status 2 where Hydra prints a report and exits with 1."""
    os.environ["HYDRA_FULL_ERROR"] = "1"  # Hydra's run_and_report then raises its errors instead of printing them
    collect_less()  # from the start: the imports and the stages are objects too (builder/heap.py)
    if removed := [o for o in get_args_parser().parse_args().overrides if o.startswith("~")]:
        # Hydra drops the group or key, and the typed config puts its defaults back: the build would run with the
        # very part the user meant to remove
        fail(f"error: {removed[0]}: removing a setting or group is not supported; switch a part off with its own "
             "setting (e.g. near_dup.enabled=false, templates.enabled=false)")
    try:
        hydra_main()
    except (ConfigCompositionException, OverrideParseException) as err:
        fail(f"error: {explain(err, get_args_parser().parse_args().overrides)}")
    except KeyboardInterrupt:  # before the build started (or between the jobs of a sweep)
        fail("interrupted; rerun the same command to resume", INTERRUPTED)
    except BrokenPipeError:  # `build-corpus --cfg job | head`: the reader had what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # else Python's last flush fails once more
        sys.exit(1)


if __name__ == "__main__":
    main()
