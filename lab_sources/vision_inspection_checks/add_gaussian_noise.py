# ruff: noqa  (variants redefine one function and use the notebook's names: np, hashlib, iv)
# Grader checks for Task 5a (add_gaussian_noise). Each variant replaces the solution cell.
# %% correct: standard_normal scaled by sigma, SNR turned into a power ratio first
def add_gaussian_noise(image, snr_db, rng):
    x = image.astype(np.float64)
    ratio = 10.0 ** (snr_db / 10.0)
    sigma = np.sqrt((x ** 2).mean() / ratio)
    y = x + sigma * rng.standard_normal(size=x.shape)
    return np.rint(np.minimum(np.maximum(y, 0), 255)).astype("uint8")

# %% correct: signal power from the norm, np.round, clip written with np.clip's out=
def add_gaussian_noise(image, snr_db, rng):
    x = np.array(image, dtype=float)
    power = np.linalg.norm(x) ** 2 / x.size
    noisy = x + rng.normal(loc=0.0, scale=(power * 10 ** (-snr_db / 10)) ** 0.5, size=x.shape)
    noisy = np.round(noisy)
    np.clip(noisy, 0, 255, out=noisy)
    return noisy.astype(np.uint8)

# %% mistake: uint8 wrap-around (no clipping before the conversion)
def add_gaussian_noise(image, snr_db, rng):
    f = np.asarray(image, dtype=np.float64)
    sigma = np.sqrt(np.mean(f ** 2) / 10 ** (snr_db / 10))
    return np.rint(f + rng.normal(0.0, sigma, f.shape)).astype(np.int64).astype(np.uint8)

# %% mistake: the variance used as the standard deviation
def add_gaussian_noise(image, snr_db, rng):
    f = np.asarray(image, dtype=np.float64)
    variance = np.mean(f ** 2) / 10 ** (snr_db / 10)
    return np.clip(np.rint(f + rng.normal(0.0, variance, f.shape)), 0, 255).astype(np.uint8)

# %% mistake: the amplitude definition 20·log10 (σ too small)
def add_gaussian_noise(image, snr_db, rng):
    f = np.asarray(image, dtype=np.float64)
    sigma = np.sqrt(np.mean(f ** 2)) / 10 ** (snr_db / 10)
    return np.clip(np.rint(f + rng.normal(0.0, sigma, f.shape)), 0, 255).astype(np.uint8)

# %% mistake: ignores rng and makes its own fixed generator
def add_gaussian_noise(image, snr_db, rng):
    f = np.asarray(image, dtype=np.float64)
    sigma = np.sqrt(np.mean(f ** 2) / 10 ** (snr_db / 10))
    own = np.random.default_rng(0)
    return np.clip(np.rint(f + own.normal(0.0, sigma, f.shape)), 0, 255).astype(np.uint8)

# %% mistake: returns floats
def add_gaussian_noise(image, snr_db, rng):
    f = np.asarray(image, dtype=np.float64)
    sigma = np.sqrt(np.mean(f ** 2) / 10 ** (snr_db / 10))
    return np.clip(np.rint(f + rng.normal(0.0, sigma, f.shape)), 0, 255)

# %% mistake: truncates instead of rounding
def add_gaussian_noise(image, snr_db, rng):
    f = np.asarray(image, dtype=np.float64)
    sigma = np.sqrt(np.mean(f ** 2) / 10 ** (snr_db / 10))
    return np.clip(f + rng.normal(0.0, sigma, f.shape), 0, 255).astype(np.uint8)
