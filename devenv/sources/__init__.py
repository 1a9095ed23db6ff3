"""Sources turn an environment of devenv.toml into manifests: plain YAML, Kustomize, Helm."""
