# %% correct: sort by abs_rho (NaN last) and take the first controller row
def best_controller_feature(corr):
    ctrl = corr.query("family == 'controller'").sort_values("abs_rho", ascending=False, na_position="last")
    return ctrl["feature"].iloc[0]

# %% correct: loop over the rows
def best_controller_feature(corr):
    best, best_rho = None, -1.0
    for _, row in corr.iterrows():
        if row["family"] == "controller" and row["abs_rho"] == row["abs_rho"] and row["abs_rho"] > best_rho:
            best, best_rho = row["feature"], row["abs_rho"]
    return best

# %% mistake: the literal name typed in
def best_controller_feature(corr):
    return "TV51.S_RMS"

# %% mistake: largest rho, not largest |rho|
def best_controller_feature(corr):
    ctrl = corr[corr["family"] == "controller"]
    return ctrl.loc[ctrl["rho"].idxmax(), "feature"]

# %% mistake: trusts the row order (first controller row)
def best_controller_feature(corr):
    return corr.loc[corr["family"] == "controller", "feature"].iloc[0]

# %% mistake: forgets the family filter
def best_controller_feature(corr):
    return corr.loc[corr["abs_rho"].idxmax(), "feature"]

# %% mistake: ascending sort, takes the last row (a NaN row lands there)
def best_controller_feature(corr):
    return corr.loc[corr["family"] == "controller"].sort_values("abs_rho").iloc[-1]["feature"]
