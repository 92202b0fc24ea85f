"""aeon: the command line of aeon-infra and its offline Pulumi engine."""
