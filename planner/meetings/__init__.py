"""Strategy meetings: agenda, attendance, proxies, quorum and the live session."""
