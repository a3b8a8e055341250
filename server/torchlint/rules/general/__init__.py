"""TL1xx: general PyTorch (mixed precision, optimizers and schedules, data loading, autograd, devices)."""
