r"""Learning to learn: MAML, first-order MAML, ANIL, Reptile, prototypical networks, pre-training.

The lecture's picture: a learning algorithm F_φ takes a task's *support set* (its training
examples) and returns a model θ; the *query set* (its test examples) scores that model; and the
meta-learner improves φ over many *training tasks* so that F_φ does well on new *testing tasks*.
Here φ is an initialisation θ₀, and F_φ is a few steps of gradient descent from it:

    θ' = θ₀ − α ∇L_support(θ₀)                      (the inner loop, ``adapt``)
    L(φ) = Σ_tasks L_query(θ')                        (what the outer loop minimises)

- **MAML** differentiates L(φ) through the inner loop: its meta-gradient holds the second-order
  term (I − α H_support) ∇L_query(θ').
- **First-order MAML** treats ∇L_support as a constant (``stop_gradient``), which drops exactly
  that term: the meta-gradient is ∇L_query(θ').
- **ANIL** ("almost no inner loop") adapts only the head in the inner loop; the body is learned
  by the outer loop alone, as a feature extractor shared by every task.
- **Reptile** runs several inner steps on the task's data and moves θ₀ towards where they ended:
  the update direction is θ₀ − θ'.
- **Prototypical networks** learn an embedding f; a class's *prototype* is the mean embedding of
  its support examples, and a query is classified by (negative squared) distance to each.
- **Pre-training**, the lecture's baseline: one model learned on all training tasks' data at
  once, then fine-tuned on the new task's support set (for classification, with a fresh head).

Every function works on one task; meta-batches are ``jax.vmap`` over tasks, so a sharded
meta-batch (tasks split over the mesh's ``"data"`` axis) is averaged across devices by XLA.
A task is a dict of ``support_x``, ``support_y``, ``query_x``, ``query_y`` (and, for
pre-training on classes, ``support_class`` / ``query_class``: the classes' indices among all
training classes).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import optax

from lee_jax.errors import ConfigError

PyTree = Any
Task = dict[str, jax.Array]
METHODS = ("maml", "fomaml", "anil", "reptile", "protonet", "pretrain")


@dataclasses.dataclass(frozen=True)
class Learner:
  """One meta-learning method, with the model and loss of the tasks it learns.

  ``apply(params, x)`` gives the task model's outputs (N logits, a regression value, or an
  embedding for ``protonet``); ``loss(outputs, y)`` is what adapts and what is learned;
  ``metric(outputs, y)`` is what is reported under ``metric_name`` (accuracy, or MSE).
  ``inner`` names the top-level parameter collections the inner loop adapts (``None``: all;
  ANIL: the head). ``n_way`` is the number of classes of a task (prototypical networks need it).
  Pre-training fits ``pretrain_apply`` to all of a task's examples against the task's
  ``{support,query}_<pretrain_target>`` (``y``: the task's own targets, the lecture's
  pre-training; ``class``: the classes' indices among all training classes), and
  ``new_task(params)`` turns its parameters into the model fine-tuned on a new task (a fresh
  N-way head after pre-training on all classes).
  """

  method: str
  metric_name: str
  apply: Callable[[PyTree, jax.Array], jax.Array]
  loss: Callable[[jax.Array, jax.Array], jax.Array]
  metric: Callable[[jax.Array, jax.Array], jax.Array]
  inner_lr: float = 0.4
  train_steps: int = 1
  test_steps: int = 3
  inner: tuple[str, ...] | None = None
  pretrain_apply: Callable[[PyTree, jax.Array], jax.Array] | None = None
  pretrain_target: str = "y"
  new_task: Callable[[PyTree], PyTree] = lambda params: params
  n_way: int = 0

  def __post_init__(self):
    if self.method not in METHODS:
      raise ConfigError(f"Unknown meta-learning method {self.method!r}; choose one of {METHODS}.")
    inner_loop = self.method in ("maml", "fomaml", "anil", "reptile")
    if (self.method != "protonet" and self.inner_lr <= 0) or (inner_loop and self.train_steps < 1):
      raise ConfigError(f"{self.method}: inner_lr must be positive and train_steps at least 1 "
                        f"(got {self.inner_lr} and {self.train_steps}).")
    if self.test_steps < 0:
      raise ConfigError(f"test_steps (inner steps on a testing task) must be ≥ 0, got "
                        f"{self.test_steps}.")
    if self.method == "pretrain" and self.pretrain_apply is None:
      raise ConfigError("Pre-training needs pretrain_apply, the model it fits to all tasks.")
    if self.method == "protonet" and self.n_way < 1:
      raise ConfigError(f"A prototypical network needs n_way ≥ 1 classes, got {self.n_way}.")

  def start(self, params: PyTree) -> PyTree:
    """The parameters a testing task's inner loop starts from: the meta-learned ones, or, after
    pre-training, ``new_task`` of them."""
    return self.new_task(params) if self.method == "pretrain" else params


def _split(params: PyTree, inner: Sequence[str] | None) -> tuple[PyTree, PyTree]:
  """(adapted, fixed) parts of a parameter dict."""
  if inner is None:
    return params, {}
  missing = set(inner) - set(params)
  if missing:
    raise ConfigError(f"The inner loop should adapt {sorted(missing)}, which the model does not "
                      f"have; its parameters are {sorted(params)}.")
  return ({
      k: v for k, v in params.items() if k in inner
  }, {
      k: v for k, v in params.items() if k not in inner
  })


def adapt(learner: Learner, params: PyTree, x: jax.Array, y: jax.Array, *, steps: int,
          first_order: bool = False,
          observe: Callable[[PyTree], Any] | None = None) -> tuple[PyTree, Any]:
  """The inner loop: ``steps`` gradient-descent steps θ ← θ − α ∇L(θ; x, y) from ``params``.

  ``first_order`` stops gradients through ∇L (first-order MAML, Reptile). ``observe(θ)``, if
  given, is recorded before the first step and after each one (a learning curve of the
  adaptation); returns ``(θ', observations stacked along a leading axis of steps + 1)``.
  """
  adapted, fixed = _split(params, learner.inner)

  def task_loss(part):
    return learner.loss(learner.apply({**fixed, **part}, x), y)

  def step(part, _):
    grads = jax.grad(task_loss)(part)
    if first_order:
      grads = jax.lax.stop_gradient(grads)
    new = jax.tree.map(lambda p, g: p - learner.inner_lr * g, part, grads)
    return new, None if observe is None else observe({**fixed, **new})

  adapted, trail = jax.lax.scan(step, adapted, None, length=steps)
  if observe is not None:
    start = jax.tree.map(lambda o: o[None], observe(params))
    trail = jax.tree.map(lambda a, b: jnp.concatenate([a, b]), start, trail)
  return {**fixed, **adapted}, trail


def maml_objective(learner: Learner, params: PyTree, task: Task,
                   first_order: bool) -> tuple[jax.Array, jax.Array]:
  """L_query(θ') with θ' adapted on the support set: (loss, metric) of one task."""
  adapted, _ = adapt(learner, params, task["support_x"], task["support_y"],
                     steps=learner.train_steps, first_order=first_order)
  outputs = learner.apply(adapted, task["query_x"])
  return learner.loss(outputs, task["query_y"]), learner.metric(outputs, task["query_y"])


def reptile_direction(learner: Learner, params: PyTree,
                      task: Task) -> tuple[PyTree, tuple[jax.Array, jax.Array]]:
  """θ₀ − θ' after ``train_steps`` first-order steps on all of the task's examples, and the
  adapted model's (loss, metric) on them."""
  x = jnp.concatenate([task["support_x"], task["query_x"]])
  y = jnp.concatenate([task["support_y"], task["query_y"]])
  adapted, _ = adapt(learner, params, x, y, steps=learner.train_steps, first_order=True)
  outputs = learner.apply(adapted, x)
  direction = jax.tree.map(jnp.subtract, params, adapted)
  return direction, (learner.loss(outputs, y), learner.metric(outputs, y))


def prototype_logits(learner: Learner, params: PyTree, task: Task) -> jax.Array:
  """−‖f(query) − c_k‖² for each class k, where c_k averages f over k's support examples."""
  support = learner.apply(params, task["support_x"])
  one_hot = jax.nn.one_hot(task["support_y"], learner.n_way)
  prototypes = (one_hot.T @ support) / jnp.sum(one_hot, axis=0)[:, None]
  query = learner.apply(params, task["query_x"])
  return -jnp.sum(jnp.square(query[:, None, :] - prototypes[None]), axis=-1)


def _pretrain_loss(learner: Learner, params: PyTree, task: Task) -> tuple[jax.Array, jax.Array]:
  target = learner.pretrain_target
  x = jnp.concatenate([task["support_x"], task["query_x"]])
  y = jnp.concatenate([task[f"support_{target}"], task[f"query_{target}"]])
  outputs = learner.pretrain_apply(params, x)
  return learner.loss(outputs, y), learner.metric(outputs, y)


def meta_gradient(learner: Learner, params: PyTree,
                  tasks: Task) -> tuple[PyTree, dict[str, jax.Array]]:
  """The outer loop's gradient over a meta-batch (tasks stacked on axis 0), and its metrics.

  For Reptile the "gradient" is the mean direction θ₀ − θ', which the outer optimizer follows as
  it would a gradient.
  """
  method = learner.method
  if method == "reptile":
    directions, (loss, metric) = jax.vmap(lambda t: reptile_direction(learner, params, t))(tasks)
    return jax.tree.map(lambda d: jnp.mean(d, axis=0), directions), {
        "loss": jnp.mean(loss),
        learner.metric_name: jnp.mean(metric)
    }

  def per_task(p, task):
    if method in ("maml", "fomaml", "anil"):
      return maml_objective(learner, p, task, first_order=method == "fomaml")
    if method == "protonet":
      logits = prototype_logits(learner, p, task)
      return learner.loss(logits, task["query_y"]), learner.metric(logits, task["query_y"])
    return _pretrain_loss(learner, p, task)

  def mean_loss(p):
    loss, metric = jax.vmap(per_task, (None, 0))(p, tasks)
    return jnp.mean(loss), jnp.mean(metric)

  (loss, metric), grads = jax.value_and_grad(mean_loss, has_aux=True)(params)
  return grads, {"loss": loss, learner.metric_name: metric}


def adaptation_curve(learner: Learner, params: PyTree, task: Task, steps: int) -> jax.Array:
  """A testing task's query metric after 0, 1, …, ``steps`` inner steps on its support set.

  Pre-training starts from ``new_task(params)``; a prototypical network has no inner loop, so
  its metric is the same at every step.
  """
  if learner.method == "protonet":
    logits = prototype_logits(learner, params, task)
    return jnp.broadcast_to(learner.metric(logits, task["query_y"]), (steps + 1,))
  params = learner.start(params)

  def observe(p):
    return learner.metric(learner.apply(p, task["query_x"]), task["query_y"])

  _, curve = adapt(learner, params, task["support_x"], task["support_y"], steps=steps,
                   observe=observe)
  return curve


def cross_entropy(logits: jax.Array, labels: jax.Array) -> jax.Array:
  return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, labels))


def accuracy(logits: jax.Array, labels: jax.Array) -> jax.Array:
  return jnp.mean(jnp.argmax(logits, axis=-1) == labels)


def mean_squared_error(outputs: jax.Array, targets: jax.Array) -> jax.Array:
  return jnp.mean(jnp.square(outputs - targets))
