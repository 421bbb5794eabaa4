"""What open pages see change: events published on commit, the Redis bus between processes, and
the hub that refreshes open tabs."""
