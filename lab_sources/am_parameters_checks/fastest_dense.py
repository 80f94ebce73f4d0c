# %% correct: reset_index and positional argmax (index labels lost)
def fastest_dense_setting(grid, threshold_pct=99.5):
    dense = grid[grid["predicted_pct"] >= threshold_pct].reset_index(drop=True)
    if len(dense) == 0:
        return None
    rate = dense["speed_mm_s"] * dense["hatch_mm"] * dense["layer_mm"]
    return dense.iloc[int(np.argmax(rate.to_numpy()))]

# %% correct: a loop over the rows
def fastest_dense_setting(grid, threshold_pct=99.5):
    best, best_rate = None, -1.0
    for _, row in grid.iterrows():
        rate = row["speed_mm_s"] * row["hatch_mm"] * row["layer_mm"]
        if row["predicted_pct"] >= threshold_pct and rate > best_rate:
            best, best_rate = row, rate
    return best

# %% correct: sort by build rate, take the first
def fastest_dense_setting(grid, threshold_pct=99.5):
    dense = grid.loc[grid.predicted_pct >= threshold_pct].assign(
        rate=lambda d: d.speed_mm_s * d.hatch_mm * d.layer_mm)
    return None if dense.empty else dense.sort_values("rate", ascending=False).iloc[0]

# %% mistake: the fastest scan speed instead of the build rate v·h·t
def fastest_dense_setting(grid, threshold_pct=99.5):
    dense = grid[grid["predicted_pct"] >= threshold_pct]
    if dense.empty:
        return None
    return dense.loc[dense["speed_mm_s"].idxmax()]

# %% mistake: strictly above the threshold
def fastest_dense_setting(grid, threshold_pct=99.5):
    dense = grid[grid["predicted_pct"] > threshold_pct]
    if dense.empty:
        return None
    return dense.loc[(dense.speed_mm_s * dense.hatch_mm * dense.layer_mm).idxmax()]

# %% mistake: the densest row, not the fastest dense one
def fastest_dense_setting(grid, threshold_pct=99.5):
    dense = grid[grid["predicted_pct"] >= threshold_pct]
    if dense.empty:
        return None
    return dense.loc[dense["predicted_pct"].idxmax()]

# %% mistake: a label from idxmax used as a position (iloc instead of loc)
def fastest_dense_setting(grid, threshold_pct=99.5):
    dense = grid[grid["predicted_pct"] >= threshold_pct]
    if dense.empty:
        return None
    return dense.iloc[(dense.speed_mm_s * dense.hatch_mm * dense.layer_mm).idxmax()]
