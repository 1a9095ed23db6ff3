"""The only package that talks to the container engine (through python-on-whales)."""
