"""`python -m advocado` runs the command line."""

from advocado.cli import main

main()
