"""TL2xx: computer vision (backbones, transforms, augmentation)."""
