"""The shared minutes: assembled from the meeting's record, circulated, approved, shared."""
