"""Translation: Kubernetes manifests to a Compose project plus deltas, one small module per concern."""
