"""Teacher forcing: what a sequence-to-sequence model trains on, and how its loss reads it.

In training, the decoder reads the reference: given BOS y₁ … y_{T−1} it must predict y₁ … EOS at
every position at once, so a whole sentence costs one forward pass (``make_arrays``). At test
time it reads its own predictions instead, and an early mistake can derail everything after it
(*exposure bias*); *scheduled sampling* narrows the gap by feeding, with probability p, the
model's own prediction in place of a reference token (``scheduled_inputs``).

Batches are dicts of token arrays: ``source``, ``source_length``, ``target_in``, ``target_out``
and ``target_mask`` (1 on real target tokens). ``BatchTransformer`` and ``BatchRNN`` read such a
dict, so the engine can initialise and train them from one example.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from lee_jax.engine import steps
from lee_jax.seq2seq import rnn, tokenizer, transformer


class BatchTransformer(transformer.Transformer):
  """The Transformer applied to a batch dict, so ``state.create`` can initialise it from one
  example; a subclass keeps the parameters exactly the Transformer's for decoding."""

  def __call__(self, batch, train: bool = False):  # pylint: disable=arguments-renamed
    return super().__call__(batch["source"], batch["source_length"], batch["target_in"], train)


class BatchRNN(rnn.RNNSeq2Seq):
  """``RNNSeq2Seq`` applied to a batch dict (see ``BatchTransformer``)."""

  def __call__(self, batch, train: bool = False):  # pylint: disable=arguments-renamed
    return super().__call__(batch["source"], batch["source_length"], batch["target_in"], train)


def make_arrays(processor, sources: Sequence[str], targets: Sequence[str],
                max_len: int) -> dict[str, np.ndarray]:
  """Teacher forcing's arrays: the decoder reads BOS y₁ … and must predict y₁ … EOS."""
  source, source_length = tokenizer.encode(processor, sources, max_len)
  target_out, target_length = tokenizer.encode(processor, targets, max_len)
  target_in = np.concatenate([
      np.full((len(targets), 1), tokenizer.BOS, np.int32), target_out[:, :-1]
  ], axis=1)
  mask = (np.arange(max_len)[None] < target_length[:, None]).astype(np.float32)
  return {
      "source": source,
      "source_length": source_length,
      "target_in": target_in,
      "target_out": target_out,
      "target_mask": mask
  }


def scheduled_inputs(logits: jax.Array, target_in: jax.Array, probability: float,
                     rng: jax.Array) -> jax.Array:
  """Decoder inputs where each reference token (BOS excepted) is replaced, with ``probability``,
  by the model's own prediction of it from a teacher-forced pass (scheduled sampling)."""
  predicted = jnp.argmax(logits[:, :-1], -1).astype(target_in.dtype)
  use_own = jax.random.bernoulli(rng, probability, predicted.shape)
  return target_in.at[:, 1:].set(jnp.where(use_own, predicted, target_in[:, 1:]))


def make_loss(label_smoothing: float = 0.0, scheduled_sampling: float = 0.0) -> steps.LossFn:
  """Label-smoothed cross-entropy over the real target tokens, with the given probability of
  scheduled sampling (0: plain teacher forcing); also reports the token accuracy."""

  def loss_fn(params, state, batch, rng):
    dropout_rng, sampling_rng, second_rng = jax.random.split(rng, 3)
    logits = state.apply_fn(state.variables(params), batch, train=True,
                            rngs={"dropout": dropout_rng})
    if scheduled_sampling:
      inputs = scheduled_inputs(jax.lax.stop_gradient(logits), batch["target_in"],
                                scheduled_sampling, sampling_rng)
      logits = state.apply_fn(state.variables(params), {
          **batch, "target_in": inputs
      }, train=True, rngs={"dropout": second_rng})
    loss = transformer.sequence_loss(logits, batch["target_out"], batch["target_mask"],
                                     label_smoothing)
    correct = (jnp.argmax(logits, -1) == batch["target_out"]) * batch["target_mask"]
    return loss, ({"token_accuracy": correct.sum() / batch["target_mask"].sum()}, state.model_state)

  return loss_fn


def per_sentence(state, batch):
  """Each sentence's summed negative log-likelihood and its number of real target tokens: the
  engine's evaluation sums both, and their ratio is the loss per token."""
  logits = state.apply_fn(state.variables(), batch, train=False)
  mask = batch["target_mask"]
  log_probs = jax.nn.log_softmax(logits)
  nll = -jnp.take_along_axis(log_probs, batch["target_out"][..., None], -1)[..., 0]
  return {"nll": (nll * mask).sum(-1), "tokens": mask.sum(-1)}
