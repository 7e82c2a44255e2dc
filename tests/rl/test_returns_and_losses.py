"""The lecture's advantages and the losses, against values worked out by hand."""

import functools

import jax
import jax.numpy as jnp
import numpy as np

from lee_jax.rl import losses, returns

R = jnp.array([1.0, 2.0, 3.0])
close = functools.partial(np.testing.assert_allclose, rtol=1e-5, atol=1e-6)


def test_discounted_returns_by_hand():
  # G_2 = 3, G_1 = 2 + 0.5·3 = 3.5, G_0 = 1 + 0.5·3.5 = 2.75.
  close(returns.discounted_returns(R, jnp.zeros(3), 0.5), [2.75, 3.5, 3.0])
  # Version 1 (γ = 1) is the plain sum of what follows.
  close(returns.discounted_returns(R, jnp.zeros(3), 1.0), [6.0, 5.0, 3.0])


def test_nothing_flows_across_an_episode_end():
  dones = jnp.array([1.0, 0.0, 0.0])  # The first episode ends after step 0.
  close(returns.discounted_returns(R, dones, 0.5), [1.0, 3.5, 3.0])
  # A rollout cut mid-episode is worth V(s_T) after its last step: G_2 = 3 + 0.5·10.
  close(returns.discounted_returns(R, jnp.zeros(3), 0.5, last_value=10.0),
        [1 + 0.5 * (2 + 0.5 * 8), 2 + 0.5 * 8, 8.0])


def test_returns_are_per_environment_along_the_trailing_axes():
  rewards = jnp.stack([R, 2 * R], axis=1)  # [T=3, N=2]
  got = returns.discounted_returns(rewards, jnp.zeros((3, 2)), 0.5)
  close(got[:, 1], 2 * got[:, 0])


def test_td_errors_and_gae_by_hand():
  values = jnp.array([0.5, 1.0, 2.0])
  dones = jnp.array([0.0, 0.0, 1.0])
  gamma = 0.9
  # δ_t = r_t + γ V(s_{t+1}) − V(s_t); nothing follows the terminal step 2.
  deltas = np.array([1 + 0.9 * 1.0 - 0.5, 2 + 0.9 * 2.0 - 1.0, 3 - 2.0])
  close(returns.td_errors(R, values, dones, gamma), deltas)
  adv, targets = returns.gae(R, values, dones, gamma, lam=0.5)
  expected = [
      deltas[0] + 0.45 * (deltas[1] + 0.45 * deltas[2]), deltas[1] + 0.45 * deltas[2], deltas[2]
  ]
  close(adv, expected)
  close(targets, np.asarray(expected) + values)
  # λ = 0 is the TD error; λ = 1 is the Monte-Carlo advantage G_t − V(s_t).
  close(returns.gae(R, values, dones, gamma, 0.0)[0], deltas)
  close(
      returns.gae(R, values, dones, gamma, 1.0)[0],
      returns.discounted_returns(R, dones, gamma) - values)


def test_normalize_uses_only_the_valid_steps():
  x = jnp.array([1.0, 3.0, 100.0])
  mask = jnp.array([1.0, 1.0, 0.0])
  close(returns.normalize(x, mask), [-1.0, 1.0, 0.0])


def test_log_prob_and_entropy_of_a_uniform_actor():
  logits = jnp.zeros((2, 4))
  close(losses.log_prob(logits, jnp.array([0, 3])), [-np.log(4)] * 2)
  close(losses.entropy(logits), [np.log(4)] * 2)


def _logits_with_prob(p: float) -> jax.Array:
  """Logits of a 2-action actor that takes action 0 with probability p."""
  return jnp.log(jnp.array([[p, 1 - p]]))


def test_ppo_clip_on_a_case_with_a_known_answer():
  # Old actor: π_θ'(a=0) = 0.4. New: 0.6 (ratio 1.5) and 0.2 (ratio 0.5).
  logits = jnp.concatenate([_logits_with_prob(0.6), _logits_with_prob(0.2)])
  actions = jnp.array([0, 0])
  old = jnp.log(jnp.array([0.4, 0.4]))
  adv = jnp.array([2.0, -1.0])
  loss, clipped = losses.ppo_clip(logits, actions, adv, old, clip_eps=0.2)
  # A > 0: min(1.5·2, 1.2·2) = 2.4. A < 0: min(0.5·(−1), 0.8·(−1)) = −0.8.
  np.testing.assert_allclose(loss, -(2.4 - 0.8) / 2, rtol=1e-5)
  assert float(clipped) == 1.0
  # Both clipped sides carry no gradient: the actor is not pushed further from θ'.
  grad = jax.grad(lambda l: losses.ppo_clip(l, actions, adv, old, 0.2)[0])(logits)
  close(grad, np.zeros(grad.shape))


def test_at_the_old_actor_ppo_clip_has_the_policy_gradient():
  key = jax.random.key(0)
  logits = jax.random.normal(key, (6, 3))
  actions = jnp.array([0, 1, 2, 2, 1, 0])
  adv = jnp.array([1.0, -2.0, 0.5, 3.0, -1.0, 0.2])
  old = losses.log_prob(logits, actions)
  pg = jax.grad(lambda l: losses.policy_gradient(l, actions, adv))(logits)
  ppo = jax.grad(lambda l: losses.ppo_clip(l, actions, adv, old, 0.2)[0])(logits)
  close(ppo, pg)
  assert float(jnp.abs(pg).max()) > 0.01


def test_value_loss_and_its_clipping():
  target = jnp.array([3.0])
  np.testing.assert_allclose(losses.value_loss(jnp.array([1.0]), target), 0.5 * 2.0 ** 2)
  # The critic moved from 0 to 5; clipped to 0 + 0.5 its error is 2.5, larger than the 2 of the
  # unclipped move, and the loss takes the larger (pessimistic) one.
  got = losses.value_loss(jnp.array([5.0]), target, old_values=jnp.array([0.0]), clip_eps=0.5)
  np.testing.assert_allclose(got, 0.5 * 2.5 ** 2)
  # Padding (mask 0) does not count.
  got = losses.value_loss(jnp.array([1.0, 100.0]), jnp.array([3.0, 0.0]), jnp.array([1.0, 0.0]))
  np.testing.assert_allclose(got, 0.5 * 2.0 ** 2)
