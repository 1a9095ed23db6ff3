"""`python -m devenv` runs the command line."""

from devenv.cli.entry import main

main()
