# %% correct: fit_transform-free, lists in, list out via sorted arrays
from sklearn.isotonic import IsotonicRegression


def time_baseline(train_time, train_wear, test_time):
    order = np.argsort(np.asarray(train_time, float), kind="stable")
    t, w = np.asarray(train_time, float)[order], np.asarray(train_wear, float)[order]
    model = IsotonicRegression(increasing=True, out_of_bounds="clip")
    model.fit(t, w)
    return model.predict(np.asarray(test_time, float))

# %% correct: isotonic_regression pooling by hand, then interpolation with clipping
from sklearn.isotonic import IsotonicRegression


def time_baseline(train_time, train_wear, test_time):
    iso = IsotonicRegression(out_of_bounds="clip")
    iso.fit(pd.Series(train_time).to_numpy(float), pd.Series(train_wear).to_numpy(float))
    return np.array([iso.predict([v])[0] for v in np.asarray(test_time, float)])

# %% mistake: out_of_bounds left at its default (NaN outside the training times)
from sklearn.isotonic import IsotonicRegression


def time_baseline(train_time, train_wear, test_time):
    iso = IsotonicRegression().fit(np.asarray(train_time, float), np.asarray(train_wear, float))
    return iso.predict(np.asarray(test_time, float))

# %% mistake: straight-line fit of wear on time instead of a non-decreasing curve
from sklearn.linear_model import LinearRegression


def time_baseline(train_time, train_wear, test_time):
    lin = LinearRegression().fit(np.asarray(train_time, float).reshape(-1, 1), np.asarray(train_wear, float))
    return lin.predict(np.asarray(test_time, float).reshape(-1, 1))

# %% mistake: linear interpolation of the raw training points (follows the dips)
def time_baseline(train_time, train_wear, test_time):
    t, w = np.asarray(train_time, float), np.asarray(train_wear, float)
    order = np.argsort(t)
    return np.interp(np.asarray(test_time, float), t[order], w[order])
