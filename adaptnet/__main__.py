"""``python -m adaptnet``: the same command line as the ``adaptnet`` script."""
import sys

from .cli import console_main

if __name__ == "__main__":
    sys.exit(console_main())
