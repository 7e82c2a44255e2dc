"""Lecture 12, reinforcement learning: an actor, reward as its loss, and the policy gradient.

- ``returns``: the lecture's versions of A_t — immediate, cumulative, discounted, minus a
  baseline — and the critic's TD error and GAE;
- ``losses``: the policy gradient, PPO's clipped surrogate, the critic's regression, entropy;
- ``networks``: the actor-critic MLPs;
- ``methods``: REINFORCE, actor-critic and PPO as one update rule;
- ``runner``: the pytree a run checkpoints (the loop's step, the agents) and the actor's sampling;
- ``compiled``: gymnax environments inside the compiled program (``lax.scan`` over time,
  ``vmap`` over environments and seeds), checkpointed between chunks;
- ``host``: Gymnasium environments (Box2D's LunarLander) stepped on the host around a jitted
  actor and update;
- ``curves``: return curves from a run's logged metrics;
- ``cartpole``, ``hw12``: the experiments.
"""
