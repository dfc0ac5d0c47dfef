"""``python -m corpuslint``."""

from corpuslint.cli import main

main()
