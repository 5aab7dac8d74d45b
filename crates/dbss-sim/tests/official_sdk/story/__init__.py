"""The official-SDK scenario's parts: the spec, the SDK models, the runner and the stages of
the story, one module per group of resources. `../scenario.py` runs them."""
