"""devenv: production's Kubernetes manifests as a local Docker Compose stack, with every delta reported."""

__version__ = "0.1.0"
