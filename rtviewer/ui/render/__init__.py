"""Pictures made without a window: ``rtviewer render``, report pictures, screenshots."""
