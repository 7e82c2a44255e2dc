"""A tiny food-11 folder in the course's layout, written with Pillow: shared by the builder's
tests and HW3's real-data test."""

from PIL import Image

# file name -> (height, width, colour): sizes differ as in the course's photos, and each file has
# its own colour, so a record's pixels say which file it came from.
TRAIN = {
    "0_0.jpg": (40, 60, (200, 30, 30)),
    "0_1.jpg": (64, 48, (30, 200, 30)),
    "2_7.jpg": (33, 90, (30, 30, 200)),
    "10_123.jpg": (50, 50, (200, 200, 30))
}
VALIDATION = {"2_0.jpg": (70, 40, (30, 200, 200)), "10_4.jpg": (45, 45, (200, 30, 200))}
TEST = {
    "0001.jpg": (48, 64, (120, 120, 120)),
    "0002.jpg": (32, 32, (240, 240, 240)),
    "0010.jpg": (90, 30, (60, 160, 90))
}
LAYOUT = {"training": TRAIN, "validation": VALIDATION, "test": TEST}


def write_food11(root):
  """Writes the folders under ``root`` and returns it."""
  for folder, files in LAYOUT.items():
    (root / folder).mkdir(parents=True, exist_ok=True)
    for name, (height, width, colour) in files.items():
      Image.new("RGB", (width, height), colour).save(root / folder / name, quality=95)
  # Not an image: skipped like the course's loader skips it.
  (root / "training" / "notes.txt").write_text("not an image")
  return root
