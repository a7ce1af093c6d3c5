"""Text: names with subscripts, formulas, numbers and captions, with one serialiser per
notation (Unicode, mathtext, LaTeX, HTML, plain). Imports the core only.
"""
