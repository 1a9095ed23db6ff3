"""The Compose project devenv writes: a deterministic writer and the files it references."""
