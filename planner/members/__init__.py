"""The network, its member clusters, the accounts of the people and logging in."""
