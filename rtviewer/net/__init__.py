"""DICOM networking (pynetdicom): receive, query/retrieve and send."""
