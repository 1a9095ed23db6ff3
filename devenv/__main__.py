"""`python -m devenv` runs the command line."""

from devenv.cli.app import main

main()
