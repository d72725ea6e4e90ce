//! Configuration (TOML profiles), XDG paths, secrets, cache and logging.
