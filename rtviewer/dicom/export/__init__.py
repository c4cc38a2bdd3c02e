"""Export a chain, a study or a patient to a new folder, optionally anonymised.

``selection`` picks the files (a plan with its chain), ``profile`` configures dicognito
for PS3.15 Annex E, ``free_text`` lists the RT labels kept for review, ``burnt_in``
finds images that may carry burnt-in text, ``writer`` writes the folder and its
manifest, and ``verify`` re-reads what was written and names any identifier left.
"""
