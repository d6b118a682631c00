"""Parameter sweeps: designs, the on-disk store and the coordinator that runs them."""
