"""The ``adaptnet`` command line: ``adaptnet demo``, ``adaptnet train``, ``adaptnet predict``.

Each subcommand lives in its own module with an ``add_parser(subparsers)``
and a ``run(args) -> int``. Problems with the user's input (a bad config
value, a missing file) raise :class:`~adaptnet.cli.config.ConfigError`;
:func:`main` prints them as one paragraph and returns exit code 2, the code
``argparse`` uses for command-line errors.
"""
import argparse
import sys

from .. import __version__
from . import demo, predict, train
from .config import ConfigError

__all__ = ["main", "console_main", "build_parser"]

EXIT_USAGE = 2


def build_parser():
    """Return the ``adaptnet`` argument parser with its subcommands.

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> args = build_parser().parse_args(["demo", "--epochs", "3"])
    >>> args.command, args.epochs
    ('demo', 3)
    """
    parser = argparse.ArgumentParser(
        prog="adaptnet",
        description="Domain-adversarial neural networks (DANN) on PyTensor: try the demo, train "
                    "from a TOML config, predict with a trained model.",
        epilog="Run 'adaptnet COMMAND --help' for the options of each command.",
    )
    parser.add_argument("--version", action="version", version=f"adaptnet {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (demo, train, predict):
        module.add_parser(subparsers)
    return parser


def main(argv=None):
    """Run the ``adaptnet`` command line.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 for invalid input (the message goes to stderr).

    Raises
    ------
    SystemExit
        From ``argparse`` for ``--help``, ``--version`` and malformed
        command lines (code 2).

    Examples
    --------
    >>> main(["predict", "no-such-model.pkl", "data.npz"])
    2
    """
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except ConfigError as exc:
        print(f"adaptnet {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def console_main():
    """Entry point of the ``adaptnet`` executable: :func:`main` in a process of its own.

    The command owns its process, so it first lets the C allocator keep freed
    memory (:func:`adaptnet.allocator.keep_freed_memory`; about twice as fast
    conv training steps), which :func:`main` does not do because it may run
    inside someone else's program.

    Returns
    -------
    int
        The exit code of :func:`main`.

    Examples
    --------
    >>> from unittest import mock
    >>> with mock.patch("sys.argv", ["adaptnet", "predict", "no-such-model.pkl", "data.npz"]):
    ...     console_main()
    2
    """
    from ..allocator import keep_freed_memory

    keep_freed_memory()
    return main()
