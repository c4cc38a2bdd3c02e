"""Pure numerics on numpy and scikit-image: geometry, interpolation, masks, isodoses, DVH."""
