"""Modal and modeless dialogs: export, report, compare, query/retrieve, network settings."""
