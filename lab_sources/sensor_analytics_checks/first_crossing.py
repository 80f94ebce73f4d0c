# %% correct: a loop over the samples
def first_crossing_time(time_s, wear, threshold):
    time_s, wear = np.asarray(time_s, dtype=float), np.asarray(wear, dtype=float)
    for t, w in zip(time_s, wear, strict=True):
        if w >= threshold:
            return float(t)
    return np.nan

# %% correct: argmax of a boolean mask, checked
def first_crossing_time(time_s, wear, threshold):
    time_s, wear = np.asarray(time_s, dtype=float), np.asarray(wear, dtype=float)
    above = wear >= threshold
    return float(time_s[np.argmax(above)]) if above.any() else float("nan")

# %% mistake: strictly above the threshold
def first_crossing_time(time_s, wear, threshold):
    time_s, wear = np.asarray(time_s, dtype=float), np.asarray(wear, dtype=float)
    hit = np.flatnonzero(wear > threshold)
    return float(time_s[hit[0]]) if hit.size else np.nan

# %% mistake: argmax without checking (never crossing gives the first time)
def first_crossing_time(time_s, wear, threshold):
    time_s, wear = np.asarray(time_s, dtype=float), np.asarray(wear, dtype=float)
    return float(time_s[np.argmax(wear >= threshold)])

# %% mistake: returns the position, not the time
def first_crossing_time(time_s, wear, threshold):
    time_s, wear = np.asarray(time_s, dtype=float), np.asarray(wear, dtype=float)
    hit = np.flatnonzero(wear >= threshold)
    return float(hit[0]) if hit.size else np.nan

# %% mistake: None instead of NaN when never reached
def first_crossing_time(time_s, wear, threshold):
    time_s, wear = np.asarray(time_s, dtype=float), np.asarray(wear, dtype=float)
    hit = np.flatnonzero(wear >= threshold)
    return float(time_s[hit[0]]) if hit.size else None
