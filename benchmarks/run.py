"""Run the benchmark and write benchmarks/RESULTS.md: ``python benchmarks/run.py --help``."""

import sys

from harness import main

if __name__ == "__main__":
    sys.exit(main())
