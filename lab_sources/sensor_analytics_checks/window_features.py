# %% correct: scipy for kurtosis, norm for the RMS
def window_features(x):
    x = np.asarray(x, dtype=float)
    from scipy.stats import kurtosis
    rms = np.linalg.norm(x) / np.sqrt(len(x))
    peak = np.abs(x).max()
    return {"rms": rms, "peak": peak, "crest_factor": peak / rms, "kurtosis": kurtosis(x, fisher=True, bias=True)}

# %% correct: plain Python loops
def window_features(x):
    x = np.asarray(x, dtype=float)
    n = len(x)
    rms = (sum(v * v for v in x) / n) ** 0.5
    peak = max(abs(v) for v in x)
    mean = sum(x) / n
    m2 = sum((v - mean) ** 2 for v in x) / n
    m4 = sum((v - mean) ** 4 for v in x) / n
    return {"rms": rms, "peak": peak, "crest_factor": peak / rms, "kurtosis": m4 / m2 ** 2 - 3}

# %% mistake: peak is the maximum, not the maximum of |x|
def window_features(x):
    x = np.asarray(x, dtype=float)
    rms = np.sqrt(np.mean(x ** 2))
    peak = np.max(x)
    d = x - x.mean()
    return {"rms": rms, "peak": peak, "crest_factor": peak / rms, "kurtosis": np.mean(d ** 4) / np.mean(d ** 2) ** 2 - 3}

# %% mistake: kurtosis not excess (forgets the - 3)
def window_features(x):
    x = np.asarray(x, dtype=float)
    rms = np.sqrt(np.mean(x ** 2))
    peak = np.max(np.abs(x))
    d = x - x.mean()
    return {"rms": rms, "peak": peak, "crest_factor": peak / rms, "kurtosis": np.mean(d ** 4) / np.mean(d ** 2) ** 2}

# %% mistake: kurtosis about zero, not about the mean
def window_features(x):
    x = np.asarray(x, dtype=float)
    rms = np.sqrt(np.mean(x ** 2))
    peak = np.max(np.abs(x))
    return {"rms": rms, "peak": peak, "crest_factor": peak / rms, "kurtosis": np.mean(x ** 4) / np.mean(x ** 2) ** 2 - 3}

# %% mistake: RMS is the standard deviation (about the mean)
def window_features(x):
    x = np.asarray(x, dtype=float)
    rms = np.std(x)
    peak = np.max(np.abs(x))
    d = x - x.mean()
    return {"rms": rms, "peak": peak, "crest_factor": peak / rms, "kurtosis": np.mean(d ** 4) / np.mean(d ** 2) ** 2 - 3}
