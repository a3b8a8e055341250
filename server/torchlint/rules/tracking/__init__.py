"""TL5xx: logging, artifacts and reproducibility."""
