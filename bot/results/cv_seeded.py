"""`rasa` with cross-validation folds fixed by CV_SEED, so variants of the pipeline run on the same folds.

`rasa test nlu --cross-validation` shuffles with an unseeded StratifiedKFold, so each run draws new folds
(macro-F1 spread about 0.015 on this data). From bot/, e.g.:
    CV_SEED=1 ../.venv-rasa/bin/python results/cv_seeded.py test nlu --nlu data/nlu --config config.yml \
        --cross-validation --folds 3 --out /tmp/cv-seed1
"""

import os
import sys

import sklearn.model_selection as model_selection

_StratifiedKFold = model_selection.StratifiedKFold
# read once, at start (the script's only setting; the servers' are in actions/ and channels/settings.py)
SEED = os.environ.get("CV_SEED", "0").strip()
if not SEED.isdigit():
    sys.exit(f"CV_SEED must be a whole number (0, 1, 2…), not {SEED!r}")


class SeededStratifiedKFold(_StratifiedKFold):
    def __init__(self, n_splits=5, *, shuffle=False, random_state=None):
        if shuffle and random_state is None:
            random_state = int(SEED)
        super().__init__(n_splits=n_splits, shuffle=shuffle, random_state=random_state)


model_selection.StratifiedKFold = SeededStratifiedKFold  # rasa.nlu.test imports it at each call

from rasa.__main__ import main  # noqa: E402

sys.argv[0] = "rasa"
sys.exit(main())
