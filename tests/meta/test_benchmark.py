"""Chapter 15's benchmark: the MAML twin computes our meta-gradient (same model, loss and inner
step), and its cases are registered as train-step cases.

PyTorch comes with the test extra: a twin that cannot be built fails the test.
"""

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from experiments.ch15_meta import benchmark
from experiments.ch15_meta.hw15_config import variant
from lee_jax.engine import optim, parallel
from lee_jax.engine import state as state_lib
from lee_jax.meta import hw15, learners
from lee_jax.meta import tasks as tasks_lib

N_WAY, INNER_LR = 5, 0.4


@pytest.mark.parametrize("method", ["maml", "fomaml"])
def test_pytorch_twin_has_our_meta_loss_and_meta_gradient(method):
  config = ml_collections.ConfigDict({"n_way": N_WAY, "filters": 8})
  section = variant(method, inner_lr=INNER_LR, test_steps=1)
  learner, model = hw15.make_learner(section, config, num_train_classes=N_WAY)
  # The hw15 smoke preset's initialisation (its 5-way, 8-filter Conv4, seed 0): the same program.
  params = state_lib.create(model, optim.make(section.optimizer, section.train.num_steps),
                            jnp.zeros((1, 28, 28, 1)), 0, parallel.make_mesh()).params
  rng = np.random.default_rng(0)
  pool = tasks_lib.ClassPool(rng.integers(0, 256, (8, 4, 28, 28, 1), dtype=np.uint8), np.arange(8))
  source = tasks_lib.FewShotTasks(pool, n_way=N_WAY, k_shot=2, q_query=1, seed=0, num_tasks=3)
  tasks = {k: np.stack([source[i][k] for i in range(3)]) for k in source[0]}
  # Compiled, as the meta-step is: one program instead of hundreds of operations one by one.
  meta_gradient = jax.jit(lambda p, t: learners.meta_gradient(learner, p, t))
  grads, metrics = meta_gradient(params, jax.tree.map(jnp.asarray, tasks))
  torch_loss, torch_grads = benchmark.maml_meta_gradient(tasks, benchmark.conv4_weights(params),
                                                         INNER_LR, first_order=method == "fomaml")
  assert float(metrics["loss"]) == pytest.approx(torch_loss, rel=1e-4)
  ours = benchmark.conv4_weights(grads)
  assert set(ours) == set(torch_grads)
  for name, value in ours.items():
    np.testing.assert_allclose(value, torch_grads[name], rtol=2e-3, atol=2e-5, err_msg=name)
  assert np.abs(ours["conv0.w"]).max() > 1e-4  # The gradient reaches the first layer.


def test_the_meta_steps_are_train_step_cases_timed_10_steps_by_default():
  assert list(benchmark.CASES) == ["maml_1shot", "fomaml_1shot", "maml_5shot", "maml_1shot_cpu"]
  # A timed run is 10 meta-steps at the table's default --steps=200.
  assert all(case.steps(200) == 10 for case in benchmark.CASES.values())
