"""Training: batching, the Lightning module, callbacks, and the run that ties data, model and artifact."""
