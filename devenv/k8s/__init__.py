"""The subset of the Kubernetes API that devenv reads, with each object's origin."""
