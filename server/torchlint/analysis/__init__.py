"""The analysis layer: what every rule may ask of a module, computed once, on ``ast`` only.

- :mod:`.context`: the module's tree indexed by node type, parents, imports and calls;
  :func:`.context.fact` caches a per-module fact.
- :mod:`.syntax`: facts about single nodes (dotted names, keywords, constants).
- :mod:`.text`: lines as Python counts them.
- :mod:`.layout`: where statements sit, for fixes that insert or wrap statements.
- :mod:`.scopes`: name bindings and fresh names.
- :mod:`.training`: training-code shapes (backward, optimizer steps, loops, entry points).
- :mod:`.torch_types`: the module's own ``nn.Module`` classes.
"""
