# %% correct: a boolean mask and a loop over the plausibility ranges, regex-free DOI handling
def clean_density_table(df, min_density_pct=50.0):
    out = df.copy()
    ids = []
    for doi in out["doi"].astype(str):
        d = doi.strip().lower()
        for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/"):
            if d.startswith(prefix):
                d = d[len(prefix):]
        ids.append(d)
    out["paper"] = ids
    out = out[~out.drop(columns="doi").duplicated(keep="first")]
    keep = out["density_pct"] >= min_density_pct
    for col, (lo, hi) in am.LPBF_PLAUSIBLE.items():
        keep &= (out[col] >= lo) & (out[col] <= hi)
    out = out[keep]
    out.index = range(len(out))
    return out

# %% correct: the course's helpers (paper_id, lpbf_plausible) and query
def clean_density_table(df, min_density_pct=50.0):
    out = df.assign(paper=am.paper_id(df["doi"]))
    out = out.drop_duplicates(subset=out.columns.drop("doi"))
    out = out.query("density_pct >= @min_density_pct")
    return out[am.lpbf_plausible(out)].reset_index(drop=True)

# %% mistake: duplicates compared on the raw DOI spelling (before making `paper`)
def clean_density_table(df, min_density_pct=50.0):
    out = df.drop_duplicates().copy()
    out["paper"] = am.paper_id(out["doi"])
    out = out[out["density_pct"] >= min_density_pct]
    return out[am.lpbf_plausible(out)].reset_index(drop=True)

# %% mistake: DOI lower-cased but the prefix kept
def clean_density_table(df, min_density_pct=50.0):
    out = df.copy()
    out["paper"] = out["doi"].astype(str).str.strip().str.lower()
    out = out.drop_duplicates(subset=[c for c in out.columns if c != "doi"])
    out = out[out["density_pct"] >= min_density_pct]
    return out[am.lpbf_plausible(out)].reset_index(drop=True)

# %% mistake: changes the given table in place and keeps the old index
def clean_density_table(df, min_density_pct=50.0):
    df["paper"] = am.paper_id(df["doi"])
    df.drop_duplicates(subset=[c for c in df.columns if c != "doi"], inplace=True)
    df.drop(df.index[df["density_pct"] < min_density_pct], inplace=True)
    df.drop(df.index[~am.lpbf_plausible(df)], inplace=True)
    return df

# %% mistake: the L-PBF plausibility rule left out
def clean_density_table(df, min_density_pct=50.0):
    out = df.assign(paper=am.paper_id(df["doi"]))
    out = out.drop_duplicates(subset=[c for c in out.columns if c != "doi"])
    return out[out["density_pct"] >= min_density_pct].reset_index(drop=True)

# %% mistake: a fixed 50 % instead of min_density_pct
def clean_density_table(df, min_density_pct=50.0):
    out = df.assign(paper=am.paper_id(df["doi"]))
    out = out.drop_duplicates(subset=[c for c in out.columns if c != "doi"])
    out = out[out["density_pct"] >= 50]
    return out[am.lpbf_plausible(out)].reset_index(drop=True)
