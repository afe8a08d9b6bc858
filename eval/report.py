"""Write an evaluation as a Markdown report with matplotlib plots (PNG) beside it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from litrev_eval.metrics import RETRIEVAL_KS
from litrev_eval.runner import EvalResult


def _plt():  # imported lazily: matplotlib is slow to import and needs a headless backend
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def recall_curve(results: Mapping[str, EvalResult], path: Path) -> bool:
    """recall@k for k in 1, 5, 10, 20, one line per method; False when there is nothing to plot."""
    series = {m: r for m, r in results.items() if "recall@1" in r.metrics}
    if not series:
        return False
    plt = _plt()
    figure, axes = plt.subplots(figsize=(6, 4))
    for method, result in series.items():
        axes.plot(
            RETRIEVAL_KS, [result.metrics[f"recall@{k}"] for k in RETRIEVAL_KS], marker="o", label=method
        )
    axes.set_xlabel("k")
    axes.set_ylabel("recall@k")
    axes.set_ylim(0, 1.02)
    axes.set_xticks(RETRIEVAL_KS)
    axes.grid(alpha=0.3)
    axes.legend()
    axes.set_title(f"{next(iter(series.values())).task}: recall@k")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return True


_ITEM_METRIC = {
    "lookup": "mrr",
    "multi": "recall@10",
    "qa": "citation_recall",
    "unanswerable": "abstained",
    "related-work": "must_cite_recall",
}


def item_outcomes(result: EvalResult, path: Path) -> str:
    """One bar per item for the task's headline per-item metric; returns the metric's name."""
    metric = _ITEM_METRIC[result.task]
    values = [row.get(metric) or 0.0 for row in result.items]
    plt = _plt()
    figure, axes = plt.subplots(figsize=(max(6, len(values) * 0.12), 3.5))
    axes.bar(range(len(values)), values, color=["#3a7" if v >= 0.5 else "#c44" for v in values])
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("item")
    axes.set_ylabel(metric)
    axes.set_title(f"{result.task}: {metric} per item")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return metric


def metrics_table(results: Mapping[str, EvalResult]) -> str:
    names = list(dict.fromkeys(name for r in results.values() for name in r.metrics))
    lines = ["| method | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for method, result in results.items():
        cells = [f"{result.metrics[n]:.3f}" if n in result.metrics else "" for n in names]
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_report(results: Mapping[str, EvalResult], directory: Path, dataset: Path) -> Path:
    """``results`` maps a method name to its result (one entry unless --compare)."""
    directory.mkdir(parents=True, exist_ok=True)
    shipped = results.get("hybrid") or next(iter(results.values()))
    lines = [
        f"# litrev evaluation: {shipped.task}",
        "",
        f"Dataset `{dataset.name}`, {shipped.n} items. "
        + (f"Support judge: {shipped.judge}." if shipped.judge else ""),
        "",
        metrics_table(results),
        "",
    ]
    if recall_curve(results, directory / "recall_at_k.png"):
        lines += ["![recall@k](recall_at_k.png)", ""]
    metric = item_outcomes(shipped, directory / "items.png")
    lines += [f"Per-item {metric} ({shipped.method}):", "", "![per-item outcomes](items.png)", ""]
    failures = [row["id"] for row in shipped.items if (row.get(metric) or 0.0) < 0.5]
    if failures:
        lines += [f"Items below 0.5 on {metric}: " + ", ".join(failures), ""]
    path = directory / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
