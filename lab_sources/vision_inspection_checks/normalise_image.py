# ruff: noqa  (variants redefine one function and use the notebook's names: np, hashlib, iv)
# Grader checks for Task 2a (normalise_image). Each variant replaces the solution cell.
# %% correct: z-score by hand with a guard written as a conditional expression
def normalise_image(image, mean=128.0, std=20.0):
    x = np.array(image, dtype=float)  # a copy
    sd = np.sqrt(np.mean((x - x.mean()) ** 2))
    return np.full_like(x, mean) if sd == 0 else mean + std * (x - x.mean()) / sd

# %% correct: scipy's zscore (population std by default), flat image handled first
def normalise_image(image, mean=128.0, std=20.0):
    from scipy.stats import zscore
    x = np.asarray(image, dtype=float)
    if np.ptp(x) == 0:
        return np.ones(x.shape) * mean
    return zscore(x, axis=None) * std + mean

# %% mistake: sample standard deviation (ddof=1) instead of np.std
def normalise_image(image, mean=128.0, std=20.0):
    f = np.asarray(image, dtype=np.float64)
    s = f.std(ddof=1)
    if s == 0:
        return np.full(f.shape, float(mean))
    return (f - f.mean()) / s * std + mean

# %% mistake: no guard for a flat image (division by zero gives NaN)
def normalise_image(image, mean=128.0, std=20.0):
    f = np.asarray(image, dtype=np.float64)
    return (f - f.mean()) / f.std() * std + mean

# %% mistake: returns uint8 (wraps around and loses the exact mean)
def normalise_image(image, mean=128.0, std=20.0):
    f = np.asarray(image, dtype=np.float64)
    s = f.std()
    if s == 0:
        return np.full(f.shape, mean, dtype=np.uint8)
    return ((f - f.mean()) / s * std + mean).astype(np.uint8)

# %% mistake: changes the input array in place (float input)
def normalise_image(image, mean=128.0, std=20.0):
    f = np.asarray(image, dtype=np.float64)
    m, s = f.mean(), f.std()
    if s == 0:
        f[...] = mean
        return f
    f -= m
    f *= std / s
    f += mean
    return f
