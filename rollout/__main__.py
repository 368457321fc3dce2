"""Run the command-line interface as ``python -m rollout``."""

from rollout.cli import main

if __name__ == "__main__":
    main()
