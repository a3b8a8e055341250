"""TL3xx: NLP and LLM fine-tuning (HuggingFace models, tokenizers, accelerate)."""
