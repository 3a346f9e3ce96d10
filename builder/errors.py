"""Errors the user can act on: the CLI prints them as one line and exits with status 2."""


class BuildError(Exception):
    """A bad input, setting or output folder, or intermediate files that no longer match the build."""
