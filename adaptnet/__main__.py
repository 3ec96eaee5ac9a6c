"""``python -m adaptnet``: the same command line as the ``adaptnet`` script."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
