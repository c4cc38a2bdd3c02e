"""The main window and what hangs on it: patient tree, docks, menus, start-up, desktop hand-over."""
