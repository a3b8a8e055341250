"""TL13x: training-loop correctness (the bugs that train silently wrong)."""
