"""Chapter 15, meta learning ("learning to learn"): tasks, MAML and its relatives, experiments.

- ``tasks``: N-way K-shot classification tasks over class pools with disjoint meta-splits, and
  the sinusoid regression family.
- ``learners``: the inner loop, MAML, first-order MAML, ANIL, Reptile, prototypical networks
  and the pre-training baseline, one task at a time (``vmap`` makes meta-batches).
- ``models``: HW15's four-block CNN and the MAML paper's sinusoid regressor.
- ``training``: the outer loop on the shared engine and the evaluation on testing tasks.
- ``sinusoid``, ``hw15``: the experiments.
"""
