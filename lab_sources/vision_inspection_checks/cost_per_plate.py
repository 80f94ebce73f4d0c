# ruff: noqa  (variants redefine one function and use the notebook's names: np, hashlib, iv)
# Grader checks for Task 7a (cost_per_plate). Each variant replaces the solution cell.
# %% correct: a loop over the plates, rates by counting
def cost_per_plate(threshold, p_critical, is_critical, cost_false_reject=150.0, cost_escape=4000.0,
                   prevalence=None):
    fr = esc = n_crit = n_ok = 0
    for p, crit in zip(p_critical, is_critical):
        rejected = p >= threshold
        if crit:
            n_crit += 1
            esc += not rejected
        else:
            n_ok += 1
            fr += rejected
    if prevalence is None:
        return (fr * cost_false_reject + esc * cost_escape) / (n_crit + n_ok)
    return prevalence * esc / n_crit * cost_escape + (1 - prevalence) * fr / n_ok * cost_false_reject

# %% correct: sklearn's confusion matrix
def cost_per_plate(threshold, p_critical, is_critical, cost_false_reject=150.0, cost_escape=4000.0,
                   prevalence=None):
    from sklearn.metrics import confusion_matrix
    y = np.asarray(is_critical, bool)
    (tn, fp), (fn, tp) = confusion_matrix(y, np.asarray(p_critical) >= threshold, labels=[False, True])
    if prevalence is None:
        return float((fp * cost_false_reject + fn * cost_escape) / y.size)
    return float(prevalence * fn / (fn + tp) * cost_escape + (1 - prevalence) * fp / (fp + tn) * cost_false_reject)

# %% mistake: rejects only above the threshold (p > t)
def cost_per_plate(threshold, p_critical, is_critical, cost_false_reject=150.0, cost_escape=4000.0,
                   prevalence=None):
    p = np.asarray(p_critical, dtype=float)
    critical = np.asarray(is_critical, dtype=bool)
    reject = p > threshold
    fr, esc = np.sum(reject & ~critical), np.sum(~reject & critical)
    if prevalence is None:
        return float((fr * cost_false_reject + esc * cost_escape) / len(p))
    return float(prevalence * esc / critical.sum() * cost_escape
                 + (1 - prevalence) * fr / (~critical).sum() * cost_false_reject)

# %% mistake: the two costs swapped
def cost_per_plate(threshold, p_critical, is_critical, cost_false_reject=150.0, cost_escape=4000.0,
                   prevalence=None):
    p = np.asarray(p_critical, dtype=float)
    critical = np.asarray(is_critical, dtype=bool)
    reject = p >= threshold
    fr, esc = np.sum(reject & ~critical), np.sum(~reject & critical)
    if prevalence is None:
        return float((fr * cost_escape + esc * cost_false_reject) / len(p))
    return float(prevalence * esc / critical.sum() * cost_false_reject
                 + (1 - prevalence) * fr / (~critical).sum() * cost_escape)

# %% mistake: total cost instead of the mean per plate, and the prevalence ignored
def cost_per_plate(threshold, p_critical, is_critical, cost_false_reject=150.0, cost_escape=4000.0,
                   prevalence=None):
    p = np.asarray(p_critical, dtype=float)
    critical = np.asarray(is_critical, dtype=bool)
    reject = p >= threshold
    return float(np.sum(reject & ~critical) * cost_false_reject + np.sum(~reject & critical) * cost_escape)

# %% mistake: rates divided by all plates instead of by each group
def cost_per_plate(threshold, p_critical, is_critical, cost_false_reject=150.0, cost_escape=4000.0,
                   prevalence=None):
    p = np.asarray(p_critical, dtype=float)
    critical = np.asarray(is_critical, dtype=bool)
    reject = p >= threshold
    fr, esc = np.sum(reject & ~critical), np.sum(~reject & critical)
    if prevalence is None:
        return float((fr * cost_false_reject + esc * cost_escape) / len(p))
    return float(prevalence * esc / len(p) * cost_escape + (1 - prevalence) * fr / len(p) * cost_false_reject)
