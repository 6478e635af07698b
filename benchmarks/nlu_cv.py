"""Cross-validation of the classifier's settings with the rules, on the training data only (not dev2 or held-out).

    .venv/bin/python benchmarks/nlu_cv.py

Five folds over the dev and training sets (the utterance table is always trained on). For each setting (word n-grams
beside the character n-grams, C, class weights, "char" instead of "char_wb", raw instead of sublinear term frequency,
other n-gram sizes) and each `THRESHOLD`, it prints the share of rows the rules with the classifier read rightly and
confidently wrongly; "disputed" also sends a rule reading to "unknown" when a classifier sure of another intent
(score ≥ 0) contradicts it by a margin of at least 0.6, and "m0.4" answers only when the top score also leads the
second by 0.4 (an abstain margin). "alone" is the classifier by itself at 0.25: the share it answers and the share of
those it gets right. The rules were read against these rows, so the figures are optimistic; they serve to compare
settings, not to report.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from sklearn.pipeline import make_pipeline, make_union  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from dialogs.classifier import NGRAMS  # noqa: E402
from dialogs.nlu import clean, rules  # noqa: E402
from tests.dialogs.test_nlu_table import TABLE, TEAMS  # noqa: E402

# (word n-grams, C, class weights, analyzer, sublinear tf, character n-gram sizes)
SETTINGS = [
    (0, 1.0, "balanced", "char_wb", True, NGRAMS),
    (1, 1.0, "balanced", "char_wb", True, NGRAMS),
    (0, 1.0, "balanced", "char", True, NGRAMS),
    (0, 0.5, "balanced", "char_wb", True, NGRAMS),
    (0, 2.0, "balanced", "char_wb", True, NGRAMS),
    (0, 1.0, "balanced", "char_wb", False, NGRAMS),
    (0, 1.0, "balanced", "char_wb", True, (1, 4)),
    (0, 1.0, None, "char_wb", True, NGRAMS),
]
THRESHOLDS = (0.0, 0.1, 0.25, 0.4)


def read(name: str) -> list[tuple[str, str]]:
    with (ROOT / "tests" / "data" / "nlu" / name).open(encoding="utf-8", newline="") as file:
        return [(r["text"], r["intent"]) for r in csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE)]


def pipeline(words: int, c: float, weights: str | None, analyzer: str, sublinear: bool, sizes: tuple[int, int]):  # type: ignore[no-untyped-def]
    chars = TfidfVectorizer(analyzer=analyzer, ngram_range=sizes, sublinear_tf=sublinear)
    features = make_union(chars, TfidfVectorizer(ngram_range=(1, words), sublinear_tf=sublinear)) if words else chars
    return make_pipeline(features, LinearSVC(C=c, class_weight=weights, random_state=0))


def main() -> None:
    rows = read("dev.tsv") + read("train.tsv")
    texts = np.array([clean(t) for t, _ in rows], dtype=object)
    truth = np.array([i for _, i in rows])
    table = [(clean(t), i) for t, i, _ in TABLE if t.strip()]
    read_by_rules = [rules(t, teams=TEAMS) for t, _ in rows]
    counts = {c: int((truth == c).sum()) for c in set(truth)}
    strata = np.array([c if counts[c] >= 5 else "rare" for c in truth])
    for setting in SETTINGS:
        top = np.empty(len(rows), dtype=object)
        best, own, second = np.zeros(len(rows)), np.zeros(len(rows)), np.zeros(len(rows))
        for train, test in StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(texts, strata):
            fitted = pipeline(*setting).fit(
                [*texts[train], *(t for t, _ in table)], [*truth[train], *(i for _, i in table)]
            )
            decided = fitted.decision_function(list(texts[test]))
            classes = list(fitted[-1].classes_)
            for j, i in enumerate(test):
                ranked = np.argsort(-decided[j])
                top[i] = classes[int(ranked[0])]
                best[i], second[i] = decided[j][ranked[0]], decided[j][ranked[1]]
                intent = read_by_rules[i].intent
                own[i] = decided[j][classes.index(intent)] if intent in classes else -9.0
        line = []
        for threshold in THRESHOLDS:
            for disputed, margin in ((False, 0.0), (True, 0.0), (False, 0.4)):
                right = wrong = 0
                for i, found in enumerate(read_by_rules):
                    intent = found.intent
                    if intent == "unknown" and found.note is None:
                        sure = best[i] >= threshold and best[i] - second[i] >= margin and top[i] != "unknown"
                        intent = top[i] if sure else intent
                    elif disputed and found.note is None and intent not in ("small_talk", "cancel", "help"):
                        intent = "unknown" if top[i] != intent and best[i] >= 0 and best[i] - own[i] >= 0.6 else intent
                    right += intent == truth[i]
                    wrong += intent not in (truth[i], "unknown")
                mark = "d" if disputed else "m" if margin else " "
                line.append(f"{threshold:.2f}{mark} {right / len(rows):.3f}/{wrong / len(rows):.3f}")
        answered = (best >= 0.25) & (top != "unknown")
        line.append(f"alone {answered.mean():.3f}/{(top[answered] == truth[answered]).mean():.3f}")
        words, c, weights, analyzer, sublinear, sizes = setting
        label = f"words {words} C {c} weights {weights} {analyzer} {sizes} {'sublinear' if sublinear else 'raw tf'}"
        print(f"{label}: " + "  ".join(line), flush=True)


if __name__ == "__main__":
    main()
