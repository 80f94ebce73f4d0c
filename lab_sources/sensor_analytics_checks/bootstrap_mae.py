# %% correct: index arrays per group, concatenated each round
def bootstrap_mae_interval(abs_err, groups, n_boot=2000, seed=0):
    abs_err, groups = np.asarray(abs_err, dtype=float), np.asarray(groups)
    rng = np.random.default_rng(seed)
    ids = np.unique(groups)
    rows = {g: np.flatnonzero(groups == g) for g in ids}
    maes = np.empty(n_boot)
    for b in range(n_boot):
        drawn = rng.choice(ids, size=len(ids), replace=True)
        maes[b] = abs_err[np.concatenate([rows[g] for g in drawn])].mean()
    return tuple(float(v) for v in np.quantile(maes, [0.025, 0.975]))

# %% correct: per-group sums with groupby().agg, tools looked up by id
def bootstrap_mae_interval(abs_err, groups, n_boot=2000, seed=0):
    abs_err, groups = np.asarray(abs_err, dtype=float), np.asarray(groups)
    rng = np.random.default_rng(seed)
    per = pd.DataFrame({"e": abs_err, "g": groups}).groupby("g")["e"].agg(["sum", "count"])
    ids = per.index.to_numpy()
    where = {g: i for i, g in enumerate(ids)}
    sums, counts = per["sum"].to_numpy(), per["count"].to_numpy()
    out = []
    for _ in range(n_boot):
        rows = [where[g] for g in rng.choice(ids, size=len(ids), replace=True)]
        out.append(sums[rows].sum() / counts[rows].sum())
    lo, hi = np.percentile(out, [2.5, 97.5])
    return float(lo), float(hi)

# %% mistake: resamples rows, not whole tools (far too narrow)
def bootstrap_mae_interval(abs_err, groups, n_boot=2000, seed=0):
    abs_err, groups = np.asarray(abs_err, dtype=float), np.asarray(groups)
    rng = np.random.default_rng(seed)
    maes = [rng.choice(abs_err, size=len(abs_err), replace=True).mean() for _ in range(n_boot)]
    lo, hi = np.percentile(maes, [2.5, 97.5])
    return float(lo), float(hi)

# %% mistake: draws tools without replacement (every round is the same)
def bootstrap_mae_interval(abs_err, groups, n_boot=2000, seed=0):
    abs_err, groups = np.asarray(abs_err, dtype=float), np.asarray(groups)
    rng = np.random.default_rng(seed)
    ids = np.unique(groups)
    maes = []
    for _ in range(n_boot):
        drawn = rng.choice(ids, size=len(ids), replace=False)
        maes.append(abs_err[np.isin(groups, drawn)].mean())
    lo, hi = np.percentile(maes, [2.5, 97.5])
    return float(lo), float(hi)

# %% mistake: a tool drawn twice counts once (np.isin of the drawn ids)
def bootstrap_mae_interval(abs_err, groups, n_boot=2000, seed=0):
    abs_err, groups = np.asarray(abs_err, dtype=float), np.asarray(groups)
    rng = np.random.default_rng(seed)
    ids = np.unique(groups)
    maes = []
    for _ in range(n_boot):
        drawn = rng.choice(ids, size=len(ids), replace=True)
        maes.append(abs_err[np.isin(groups, drawn)].mean())
    lo, hi = np.percentile(maes, [2.5, 97.5])
    return float(lo), float(hi)

# %% mistake: ignores the seed (a new random interval every call)
def bootstrap_mae_interval(abs_err, groups, n_boot=2000, seed=0):
    abs_err, groups = np.asarray(abs_err, dtype=float), np.asarray(groups)
    rng = np.random.default_rng()
    ids = np.unique(groups)
    sums = np.array([abs_err[groups == g].sum() for g in ids])
    counts = np.array([(groups == g).sum() for g in ids])
    maes = []
    for _ in range(n_boot):
        pick = rng.choice(len(ids), size=len(ids), replace=True)
        maes.append(sums[pick].sum() / counts[pick].sum())
    lo, hi = np.percentile(maes, [2.5, 97.5])
    return float(lo), float(hi)
