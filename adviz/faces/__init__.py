"""The faces: the command line, the Sphinx directive and the notebook display.
"""
