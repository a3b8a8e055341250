"""TL4xx: reinforcement learning (environments, replay buffers)."""
