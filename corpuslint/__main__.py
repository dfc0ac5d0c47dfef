"""``python -m corpuslint``."""

from corpuslint.launch import main

main()
