# %% correct: LeaveOneGroupOut and cross_val_predict
from sklearn.base import clone
from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict


def grouped_mae(model, X, y, groups):
    X, y, groups = np.asarray(X, dtype=float), np.asarray(y, dtype=float), np.asarray(groups)
    pred = cross_val_predict(clone(model), X, y, groups=groups, cv=LeaveOneGroupOut())
    return float(np.mean(np.abs(pred - y)))

# %% correct: sum of absolute errors per group, divided by the number of rows
from sklearn.base import clone


def grouped_mae(model, X, y, groups):
    X, y, groups = np.asarray(X, dtype=float), np.asarray(y, dtype=float), np.asarray(groups)
    total = 0.0
    for g in set(groups.tolist()):
        held = groups == g
        fitted = clone(model).fit(X[~held], y[~held])
        total += np.abs(fitted.predict(X[held]) - y[held]).sum()
    return float(total / len(y))

# %% mistake: mean of the per-group MAEs (every tool weighs the same, whatever its rows)
from sklearn.base import clone


def grouped_mae(model, X, y, groups):
    X, y, groups = np.asarray(X, dtype=float), np.asarray(y, dtype=float), np.asarray(groups)
    maes = []
    for g in np.unique(groups):
        held = groups == g
        maes.append(np.mean(np.abs(clone(model).fit(X[~held], y[~held]).predict(X[held]) - y[held])))
    return float(np.mean(maes))

# %% mistake: fits the model passed in, not a fresh copy
def grouped_mae(model, X, y, groups):
    X, y, groups = np.asarray(X, dtype=float), np.asarray(y, dtype=float), np.asarray(groups)
    pred = np.empty(len(y))
    for g in np.unique(groups):
        held = groups == g
        pred[held] = model.fit(X[~held], y[~held]).predict(X[held])
    return float(np.mean(np.abs(pred - y)))

# %% mistake: a shuffled K-fold split by row (the leak the task is about)
from sklearn.base import clone
from sklearn.model_selection import KFold, cross_val_predict


def grouped_mae(model, X, y, groups):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    pred = cross_val_predict(clone(model), X, y, cv=KFold(len(np.unique(groups)), shuffle=True, random_state=0))
    return float(np.mean(np.abs(pred - y)))

# %% mistake: trains on the held-out group too
from sklearn.base import clone


def grouped_mae(model, X, y, groups):
    X, y, groups = np.asarray(X, dtype=float), np.asarray(y, dtype=float), np.asarray(groups)
    pred = clone(model).fit(X, y).predict(X)
    return float(np.mean(np.abs(pred - y)))
