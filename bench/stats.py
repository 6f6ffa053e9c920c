"""The figures every benchmark prints: percentiles of a list of samples."""


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank value below which `share` (0 to 1) of `values` lie; NaN for none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def percentiles(samples_ms: list[float]) -> str:
    """"p50 … ms  p95 … ms  (n=…)", the line most benchmarks print per measured action."""
    return f"p50 {percentile(samples_ms, 0.5):7.1f} ms  p95 {percentile(samples_ms, 0.95):7.1f} ms  (n={len(samples_ms)})"
