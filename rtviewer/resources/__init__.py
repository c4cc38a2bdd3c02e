"""Runtime assets shipped inside the package: icons, desktop entry, MIME glue.

They live here (not in a top-level folder) so that ``importlib.resources`` finds
them the same way in a wheel, an editable install and a PyInstaller bundle.
"""
