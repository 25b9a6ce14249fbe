"""双随机一公开: risk-weighted random draws of entities and their inspector pairs (sampling.py is the pure draw,
weights.py the weights as data, runs.py the recorded runs and their 公示 list)."""
