"""Reading DICOM with pydicom: folder scanning, indexing and one reader per object."""
