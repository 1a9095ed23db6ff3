"""The seed spec: what `seeds/NAME.toml` may say, and its strict parser."""
