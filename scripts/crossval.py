"""Rasa's NLU cross-validation, on the same folds every run.

Rasa 3.6 shuffles the examples into folds with numpy's global random state and
no seed (rasa.nlu.test.generate_folds), so two runs on the same data can differ
by 0.01 of weighted F1: as much as the threshold's margin, and more than most
changes to the data. Seeding numpy before Rasa starts fixes the folds; DIET's
own random_seed fixes the rest. The arguments are those of `rasa test nlu`.
"""

import sys

import numpy as np

FOLD_SEED = 42


def main() -> None:
    from rasa.__main__ import main as rasa_main

    np.random.seed(FOLD_SEED)
    sys.argv = ["rasa", "test", "nlu", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
