"""Writing rows to the local database: the write guard, engines, and one bulk loader per dialect."""
