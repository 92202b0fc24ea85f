"""Inference batching: latency curves, arrivals, a discrete-event simulation of Triton's dynamic
batcher, its fast analytic approximation, and the search for the config meeting a p95 target
(docs/batching.md)."""
