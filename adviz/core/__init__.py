"""The core: the op table, the tracer, the expression parser, the graph and the stage
schedules. It imports no text, scene or drawing module (only networkx and the stdlib).
"""
