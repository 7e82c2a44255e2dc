"""The course's ``.pt`` files: one PyTorch tensor per file, written by ``torch.save``.

HW2's MFCC frames and HW4's mel frames come this way. PyTorch is an optional extra (``[torch]``):
only preparing those datasets needs it, so it is imported when the first file is read.
"""

from __future__ import annotations

import numpy as np
from etils import epath

from lee_jax.errors import DataError


def read_tensor(path: epath.Path, what: str) -> np.ndarray:
  """The tensor saved in ``path`` as a ``float32`` array, or a ``DataError`` naming the file.

  Args:
    path: one course ``.pt`` file.
    what: what the tensor holds, for the messages (``"MFCC frames"``).
  """
  try:
    # Imported here: only preparing the course's .pt data needs PyTorch, and the library never
    # does.
    import torch  # pylint: disable=import-outside-toplevel
  except ImportError:
    raise DataError(
        f"Reading the course's .pt feature files ({path}) needs PyTorch, which is "
        "not installed. Install the optional extra with pip install -e '.[torch]'.") from None
  try:
    # weights_only: a downloaded file is data, and must not run code when it is read.
    with epath.Path(path).open("rb") as f:
      tensor = torch.load(f, map_location="cpu", weights_only=True)
  except Exception as e:  # noqa: BLE001  # pylint: disable=broad-except
    # A bad file fails in many ways (pickle, zip, EOF, runtime errors). Only the type is shown:
    # torch's own message suggests weights_only=False, which is no fix here.
    raise DataError(f"{path} is not a PyTorch tensor file ({type(e).__name__}). Delete it and "
                    "download the data again.") from None
  if not isinstance(tensor, torch.Tensor):
    raise DataError(f"{path} holds a {type(tensor).__name__}, not a PyTorch tensor of {what}. "
                    "Download the data again.")
  return tensor.detach().to(torch.float32).numpy()
