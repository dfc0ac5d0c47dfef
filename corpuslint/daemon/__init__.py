"""The resident daemon: a process that has imported corpuslint once and runs commands.

A pre-commit hook over a few files spends more than half its wall time starting Python
and importing numpy, the rules and the readers. ``corpuslint daemon start`` leaves one
process per installation with all of that loaded. The ``corpuslint`` command
(``corpuslint.launch``) hands its command line, working folder, environment and its
three standard streams to that process, which forks a copy of itself to run the command
exactly as the command would have run it, and the command exits with the copy's status.

- ``address``: where an installation's daemon listens, and the checks on that folder.
- ``protocol``: the messages between the command and the daemon (JSON, never pickle).
- ``client``: the command's side; it imports nothing heavy.
- ``serve``: the daemon's side.
"""
