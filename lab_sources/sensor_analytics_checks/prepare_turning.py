# %% correct: loop over columns, clock from a per-tool counter dict
def prepare_turning(df):
    keep = [c for c in df.columns if df[c].notna().all()]
    out = df[keep].copy()
    seen = {}
    clock = []
    for tool in out["tool"]:
        clock.append(seen.get(tool, 0))
        seen[tool] = seen.get(tool, 0) + 1
    out["cut_time_s"] = clock
    return out

# %% correct: assign with transform and a range per tool
def prepare_turning(df):
    out = df.loc[:, ~df.isna().any()]
    return out.assign(cut_time_s=out.groupby("tool")["Vb"].transform(lambda s: np.arange(len(s), dtype=float)))

# %% mistake: changes the input frame in place
def prepare_turning(df):
    df.dropna(axis=1, inplace=True)
    df["cut_time_s"] = df.groupby("tool").cumcount()
    return df

# %% mistake: clock counts over all rows, not within each tool
def prepare_turning(df):
    out = df.dropna(axis=1).copy()
    out["cut_time_s"] = np.arange(len(out), dtype=float)
    return out

# %% mistake: drops the rows with NaN instead of the columns
def prepare_turning(df):
    out = df.dropna(axis=0).copy()
    out["cut_time_s"] = out.groupby("tool").cumcount().astype(float)
    return out

# %% mistake: clock starts at 1 s
def prepare_turning(df):
    out = df.dropna(axis=1).copy()
    out["cut_time_s"] = out.groupby("tool").cumcount() + 1.0
    return out
