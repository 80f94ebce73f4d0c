# %% correct: np.select
def health_state(vb_um):
    vb = np.asarray(vb_um, dtype=float)
    return np.select([vb >= 300, vb >= 150], ["failed", "degraded"], default="healthy")

# %% correct: pd.cut with left-closed bins
def health_state(vb_um):
    vb = np.asarray(vb_um, dtype=float)
    return pd.cut(vb, [-np.inf, 150, 300, np.inf], right=False,
                  labels=["healthy", "degraded", "failed"]).astype(str).to_numpy()

# %% mistake: boundaries exclusive (150 stays healthy, 300 stays degraded)
def health_state(vb_um):
    vb = np.asarray(vb_um, dtype=float)
    return np.where(vb > 300, "failed", np.where(vb > 150, "degraded", "healthy"))

# %% mistake: degraded from the limit in mm (0.15) instead of µm
def health_state(vb_um):
    vb = np.asarray(vb_um, dtype=float)
    return np.where(vb >= 300, "failed", np.where(vb >= 0.15, "degraded", "healthy"))

# %% mistake: checks degraded first, so nothing is ever failed
def health_state(vb_um):
    vb = np.asarray(vb_um, dtype=float)
    return np.where(vb >= 150, "degraded", np.where(vb >= 300, "failed", "healthy"))
