# %% correct: numpy arithmetic on arrays, written out step by step
def energy_density_j_per_mm3(power_w, speed_mm_s, hatch_mm, layer_mm):
    p = np.asarray(power_w, dtype=float)
    volume_rate = np.asarray(speed_mm_s, dtype=float) * np.asarray(hatch_mm, dtype=float)
    volume_rate = volume_rate * np.asarray(layer_mm, dtype=float)
    result = p / volume_rate
    return result if result.ndim else float(result)

# %% correct: a list comprehension over zipped values for columns, plain division for numbers
def energy_density_j_per_mm3(power_w, speed_mm_s, hatch_mm, layer_mm):
    if np.ndim(power_w) == 0:
        return power_w / speed_mm_s / hatch_mm / layer_mm
    n = len(power_w)
    spread = [np.broadcast_to(np.asarray(a, float), (n,)) for a in (power_w, speed_mm_s, hatch_mm, layer_mm)]
    return pd.Series([p / (v * h * t) for p, v, h, t in zip(*spread, strict=True)])

# %% mistake: linear energy density P/v instead of VED
def energy_density_j_per_mm3(power_w, speed_mm_s, hatch_mm, layer_mm):
    return power_w / speed_mm_s

# %% mistake: layer thickness taken in µm (factor 1000 off)
def energy_density_j_per_mm3(power_w, speed_mm_s, hatch_mm, layer_mm):
    return power_w / (speed_mm_s * hatch_mm * layer_mm * 1000)

# %% mistake: multiplies by the hatch instead of dividing
def energy_density_j_per_mm3(power_w, speed_mm_s, hatch_mm, layer_mm):
    return power_w * hatch_mm / (speed_mm_s * layer_mm)

# %% mistake: works for one number only (math on the first row of a column)
def energy_density_j_per_mm3(power_w, speed_mm_s, hatch_mm, layer_mm):
    first = lambda x: float(np.ravel(x)[0])  # noqa: E731
    return first(power_w) / (first(speed_mm_s) * first(hatch_mm) * first(layer_mm))
