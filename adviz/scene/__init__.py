"""The scene: the view (collapse, compact labels), the Graphviz layout computed once, the
geometry of every element, one style table, and each stage as the changes it makes.
"""
