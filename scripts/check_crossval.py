"""Fails the build when the NLU cross-validation's weighted intent F1 is too low."""

import json
import sys
from pathlib import Path

report_path = Path(sys.argv[1])
threshold = float(sys.argv[2])

report = json.loads(report_path.read_text())
f1 = report["weighted avg"]["f1-score"]
worst = sorted(
    (scores["f1-score"], intent)
    for intent, scores in report.items()
    if isinstance(scores, dict)
    and "support" in scores
    and intent not in ("weighted avg", "macro avg", "micro avg")
)[:5]
print(f"NLU cross-validation: weighted intent F1 = {f1:.3f} (threshold {threshold:.2f})")
print("Weakest intents: " + ", ".join(f"{intent} {score:.2f}" for score, intent in worst))
sys.exit(0 if f1 >= threshold else 1)
