"""Model artifacts: the page classifier is built by a command from the repository's data,
shipped in the package, reproducible, and never trained by a run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tasks.models import (
    BUILDERS,
    artifact_path,
    load_artifact,
    model_versions,
    read_artifact,
    stale_reasons,
)
from tasks.nlp import char_tfidf
from tasks.nlp.doc_classifier import MODEL_NAME, MODEL_VERSION, load_classifier
from tasks.nlp.doc_classifier_build import training_set

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT_SEEDS = range(900_000, 900_002)


def test_every_registered_model_ships_its_artifact() -> None:
    for name in BUILDERS:
        assert artifact_path(name).exists(), f"run `dossier models build {name}` and commit it"
    assert MODEL_NAME in BUILDERS


def test_committed_classifier_is_not_stale() -> None:
    """Fails when the training data (sample generator, cleaning, the repository's judgments)
    or the feature and fitting code changed since the artifact was built."""
    assert stale_reasons(MODEL_NAME) == [], (
        f"run `.venv/bin/dossier models build {MODEL_NAME}` and commit "
        f"{artifact_path(MODEL_NAME).relative_to(ROOT)}"
    )


def test_version_goes_where_the_manifest_reads_it() -> None:
    artifact = load_artifact(MODEL_NAME)
    assert artifact.model_version == MODEL_VERSION
    assert model_versions()[MODEL_NAME] == artifact.version == load_classifier().version
    assert artifact.version.startswith(f"{MODEL_VERSION}+")


def test_a_run_loads_the_model_and_never_trains() -> None:
    """Splitting a dossier in a fresh process reads the artifact; scikit-learn, which only
    the build needs, is never imported."""
    code = (
        "import sys\n"
        "from tasks.nlp.documents import split_documents\n"
        "pages = ['讯问笔录\\n问：你叫什么名字？\\n答：张三。', '起诉书\\n被告人张三']\n"
        "docs = split_documents(pages)\n"
        "print([d.type for d in docs])\n"
        "assert 'sklearn' not in sys.modules, 'scikit-learn imported at run time'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "讯问笔录" in result.stdout and "起诉书" in result.stdout


def test_plain_number_predictor_matches_scikit_learn() -> None:
    """The run-time predictor (numbers only) gives scikit-learn's probabilities for the same
    TF-IDF + logistic regression, so nothing is lost by not pickling the pipeline."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    data = training_set(seeds=range(100_000, 100_003), judgments=False)
    ours = char_tfidf.fit(data.texts, data.labels, C=20.0)
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
    reference = LogisticRegression(C=20.0, max_iter=3000).fit(
        vectorizer.fit_transform(data.texts), data.labels
    )
    assert set(ours.vocabulary) == set(vectorizer.vocabulary_)
    assert list(ours.classes) == list(reference.classes_)
    held_out = training_set(seeds=HELD_OUT_SEEDS, judgments=False).texts
    ours_p = ours.predict_proba(held_out)
    reference_p = reference.predict_proba(vectorizer.transform(held_out))
    assert np.abs(ours_p - reference_p).max() < 1e-3
    assert (ours_p.argmax(axis=1) == reference_p.argmax(axis=1)).all()
    # binary (the start model's form): a sigmoid, columns in class order
    starts = char_tfidf.fit(data.texts, data.starts, C=10.0)
    reference_s = LogisticRegression(C=10.0, max_iter=3000).fit(
        vectorizer.transform(data.texts), data.starts
    )
    assert starts.classes == (False, True)
    got = starts.predict_proba(held_out)
    assert np.abs(got - reference_s.predict_proba(vectorizer.transform(held_out))).max() < 1e-3
    # and the stored form reads back to the same model
    again = char_tfidf.CharTfidfClassifier.from_json(json.loads(json.dumps(ours.to_json())))
    assert np.array_equal(again.predict_proba(held_out), ours_p)


@pytest.mark.slow
def test_a_fresh_build_in_another_process_reproduces_the_committed_artifact(
    tmp_path: Path,
) -> None:
    """``dossier models build --out`` in a new process (a second machine, as far as the
    build can tell) gives the committed bytes. Under other library versions than the
    committed build's the last digits may move: then the two models must still agree."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dossier"), "models", "build", MODEL_NAME,
         "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    fresh_path = tmp_path / artifact_path(MODEL_NAME).name
    fresh = read_artifact(fresh_path)
    committed = load_artifact(MODEL_NAME)
    assert fresh.inputs == committed.inputs
    if fresh.built_with == committed.built_with:
        assert fresh.sha256 == committed.sha256
        assert fresh_path.read_bytes() == artifact_path(MODEL_NAME).read_bytes()
        return
    from tasks.nlp.doc_classifier import from_artifact

    pages = training_set(seeds=HELD_OUT_SEEDS, judgments=False).texts
    a = from_artifact(fresh).types.predict_proba(pages)
    b = from_artifact(committed).types.predict_proba(pages)
    assert (a.argmax(axis=1) == b.argmax(axis=1)).mean() >= 0.99
    assert np.abs(a - b).max() < 0.05
