# %% correct: by hand, papers dealt round-robin into folds
def paper_folds(papers, n_splits=5):
    papers = np.asarray(papers)
    unique = list(dict.fromkeys(papers.tolist()))
    fold_of = {p: i % n_splits for i, p in enumerate(unique)}
    fold = np.array([fold_of[p] for p in papers])
    rows = np.arange(len(papers))
    return [(rows[fold != k], rows[fold == k]) for k in range(n_splits)]

# %% correct: GroupKFold on integer codes of the papers (a pandas category)
def paper_folds(papers, n_splits=5):
    from sklearn.model_selection import GroupKFold
    codes = pd.Series(list(papers)).astype("category").cat.codes.to_numpy()
    return [(tr, te) for tr, te in GroupKFold(n_splits).split(codes, groups=codes)]

# %% mistake: a random KFold (papers in both parts)
def paper_folds(papers, n_splits=5):
    from sklearn.model_selection import KFold
    return list(KFold(n_splits, shuffle=True, random_state=0).split(np.zeros(len(papers))))

# %% mistake: contiguous blocks of rows (a paper split across folds)
def paper_folds(papers, n_splits=5):
    rows = np.arange(len(papers))
    return [(np.setdiff1d(rows, te), te) for te in np.array_split(rows, n_splits)]

# %% mistake: one fold per paper, ignoring n_splits
def paper_folds(papers, n_splits=5):
    from sklearn.model_selection import LeaveOneGroupOut
    return list(LeaveOneGroupOut().split(np.zeros(len(papers)), groups=np.asarray(papers)))
