"""Each role's home page: composes what the other domains show a person first."""
