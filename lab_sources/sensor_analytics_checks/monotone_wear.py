# %% correct: transform with numpy's running maximum
def monotone_wear(df, group_col, wear_col):
    return df.groupby(group_col)[wear_col].transform(lambda s: np.maximum.accumulate(s.to_numpy()))

# %% correct: explicit loop over rows, one running maximum per group
def monotone_wear(df, group_col, wear_col):
    best = {}
    values = []
    for g, w in zip(df[group_col], df[wear_col], strict=True):
        best[g] = max(best.get(g, -np.inf), w)
        values.append(best[g])
    return pd.Series(values, index=df.index, name=wear_col)

# %% mistake: running maximum over all rows, ignoring the groups
def monotone_wear(df, group_col, wear_col):
    return df[wear_col].cummax()

# %% mistake: loses the index (reset to 0, 1, 2, ...)
def monotone_wear(df, group_col, wear_col):
    return df.groupby(group_col, sort=False)[wear_col].cummax().reset_index(drop=True)

# %% mistake: rows come back sorted by group
def monotone_wear(df, group_col, wear_col):
    parts = [part[wear_col].cummax() for _, part in df.groupby(group_col)]
    return pd.concat(parts)
