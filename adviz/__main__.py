"""``python -m adviz``: the command line."""

from adviz.faces.cli import main

main(prog_name="adviz")
