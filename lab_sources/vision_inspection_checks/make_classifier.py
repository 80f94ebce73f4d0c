# ruff: noqa  (variants redefine one function and use the notebook's names: np, hashlib, iv)
# Grader checks for Task 4b (make_classifier). Each variant replaces the solution cell.
# %% correct: make_pipeline (automatic step names standardscaler / svc)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC


def make_classifier(C=10.0, gamma="scale"):
    return make_pipeline(StandardScaler(), SVC(C=C, gamma=gamma))

# %% correct: Pipeline with other step names and keyword arguments
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC


def make_classifier(C=10.0, gamma="scale"):
    steps = [("scaler", StandardScaler(with_mean=True, with_std=True)),
             ("clf", SVC(kernel="rbf", gamma=gamma, C=C))]
    return Pipeline(steps=steps)

# %% mistake: the SVC alone, no scaling
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC


def make_classifier(C=10.0, gamma="scale"):
    return SVC(kernel="rbf", C=C, gamma=gamma)

# %% mistake: C and gamma hard-coded (the arguments are ignored)
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC


def make_classifier(C=10.0, gamma="scale"):
    return Pipeline([("scale", StandardScaler()), ("svm", SVC(kernel="rbf", C=10.0))])

# %% mistake: a linear SVM instead of the RBF kernel
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC


def make_classifier(C=10.0, gamma="scale"):
    return Pipeline([("scale", StandardScaler()), ("svm", SVC(kernel="linear", C=C, gamma=gamma))])
