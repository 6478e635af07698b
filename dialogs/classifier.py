"""A statistical intent classifier beside the rules, asked only when they find no intent.

Character n-grams (2 to 5 letters within words, TF-IDF weighted, on folded text) and a linear support
vector machine, as in Rasa's classic pipeline, with scikit-learn. Character n-grams carry over to words
never seen ("bokning", "frånvaroanmälan", "traffen") and to typos. It is trained from the utterances
shipped in the package (`dialogs/data/nlu_training.tsv`: the utterance table of
tests/dialogs/test_nlu_table.py and the dev set, less any text the held-out set shares with them, written
by `python -m dialogs.classifier --write`; a test checks the file is exactly that and holds none of the
held-out set) on first use, in about a tenth of a second, and kept in memory: nothing is downloaded or
unpickled at run time. scikit-learn is imported only then, so `amneslag parse` on text the rules
understand, and a server whose users write what the rules know, never load it.

It answers only when it is sure (`THRESHOLD` on the top intent's score, and not "unknown"); otherwise the
text stays not understood and goes on to the language model when one is configured. Whatever it reads is
confirmed with the person before anything changes (see `dialogs.engine`).
"""

from __future__ import annotations

import csv
import threading
from functools import cache
from importlib import resources
from typing import Any

# The least score (the signed distance from the separating hyperplane) of the top intent for the classifier to
# answer. Chosen on the dev set with a model trained on the table alone: at 0.2 it answered 49 of 82, one wrongly.
THRESHOLD = 0.2
TRAINING_FILE = "nlu_training.tsv"
_LOCK = threading.Lock()


def training_rows() -> list[tuple[str, str]]:
    """(text, intent) of the shipped training utterances."""
    text = (resources.files("dialogs") / "data" / TRAINING_FILE).read_text(encoding="utf-8")
    reader = csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    return [(r["text"], r["intent"]) for r in reader]


def train(rows: list[tuple[str, str]]) -> Any:
    """A fitted pipeline (TF-IDF of character n-grams, a linear SVM) for (text, intent) rows."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    from dialogs.nlu import clean

    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        LinearSVC(C=1.0),
    )
    model.fit([clean(text) for text, _ in rows], [intent for _, intent in rows])
    return model


@cache
def _model() -> Any:
    with _LOCK:
        return train(training_rows())


def scores(folded: str, model: Any = None) -> list[tuple[str, float]]:
    """Every intent with its score for a (folded) text, the likeliest first."""
    fitted = model if model is not None else _model()
    row = fitted.decision_function([folded])[0]
    return sorted(zip(fitted.classes_, (float(p) for p in row), strict=True), key=lambda pair: -pair[1])


def classify(folded: str, model: Any = None, threshold: float = THRESHOLD) -> str | None:
    """The intent of a (folded) text when the classifier is sure of one, else None."""
    intent, score = scores(folded, model)[0]
    return str(intent) if score >= threshold and intent != "unknown" else None


def write_training_file() -> int:
    """Write `dialogs/data/nlu_training.tsv` from the utterance table and the dev set (run from a checkout)."""
    from pathlib import Path

    from dialogs.nlu import clean
    from tests.dialogs.test_nlu_table import TABLE

    data = Path(__file__).resolve().parents[1] / "tests" / "data" / "nlu"
    root = data.parents[2]
    rows = [(text, intent) for text, intent, _ in TABLE if text.strip()]
    with (data / "dev.tsv").open(encoding="utf-8", newline="") as file:
        rows += [(r["text"], r["intent"]) for r in csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE)]
    # The held-out set is read only to leave out any text it shares with the table (written independently,
    # short requests such as a bare command coincide): the classifier is never trained on a held-out text.
    with (data / "heldout.tsv").open(encoding="utf-8", newline="") as file:
        held_out = {clean(r["text"]) for r in csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE)}
    rows = [(text, intent) for text, intent in rows if clean(text) not in held_out]
    target = root / "dialogs" / "data" / TRAINING_FILE
    target.parent.mkdir(exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as file:
        file.write("text\tintent\n")
        for text, intent in rows:
            file.write(f"{' '.join(text.split())}\t{intent}\n")
    return len(rows)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--write"]:
        print(f"{write_training_file()} utterances written to dialogs/data/{TRAINING_FILE}")
    else:
        print("usage: python -m dialogs.classifier --write")
