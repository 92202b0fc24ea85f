"""One module per `aeon` command; each registers itself on `aeon.app.app` when imported."""
