"""Images: reading a folder of pictures, decoding them, and varying them for training."""
