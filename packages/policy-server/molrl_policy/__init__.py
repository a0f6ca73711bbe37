"""molrl policy server: a tiny byte-level GPT (CPU) or Hugging Face causal LMs, served over HTTP."""
