"""Importers: computations built in another framework, turned into a `Trace`.

`adviz.from_micrograd`, `adviz.from_torch` and `adviz.from_jax` read the graph
the user already has (a micrograd ``Value`` graph, a PyTorch autograd graph, a
JAX jaxpr) and rebuild it on adviz's op table, so the result renders, walks
through and checks like any traced function. Each importer imports its
framework inside the functions that need it: importing this package loads
none of them.
"""
