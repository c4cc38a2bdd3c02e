"""The side panels beside the views, and the patient banner above them.

Structures, dose, DVH and goals, plan, points, brachy, RT Image.
"""
