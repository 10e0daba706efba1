"""Evaluation cases, runners, the CI gate and benchmarks."""
