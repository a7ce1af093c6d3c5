"""``python -m adviz``: the command line."""

from adviz.cli import main

main(prog_name="adviz")
