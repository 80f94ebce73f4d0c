# ruff: noqa  (variants redefine one function and use the notebook's names: np, hashlib, iv)
# Grader checks for Task 4a (paper_split). Each variant replaces the solution cell.
# %% correct: a list comprehension per class, np.unique for the class order
def paper_split(labels, seed, n_train=150, n_test=150):
    y = np.asarray(labels)
    rng = np.random.default_rng(seed)
    shuffled = [rng.permutation(np.where(y == c)[0]) for c in np.unique(y)]
    train = np.concatenate([s[:n_train] for s in shuffled])
    test = np.concatenate([s[n_train:n_train + n_test] for s in shuffled])
    return np.sort(train), np.sort(test)

# %% correct: shuffle a copy in place with rng.shuffle, collect Python lists
def paper_split(labels, seed, n_train=150, n_test=150):
    labels = list(labels)
    rng = np.random.default_rng(seed)
    tr, te = [], []
    for c in sorted(set(labels)):
        pos = np.array([i for i, lab in enumerate(labels) if lab == c])
        rng.shuffle(pos)
        tr += pos[:n_train].tolist()
        te += pos[n_train:][:n_test].tolist()
    return np.array(sorted(tr)), np.array(sorted(te))

# %% mistake: shuffles all images together (classes no longer get n_train each)
def paper_split(labels, seed, n_train=150, n_test=150):
    labels = np.asarray(labels)
    k = len(set(labels.tolist()))
    idx = np.random.default_rng(seed).permutation(len(labels))
    return np.sort(idx[:n_train * k]), np.sort(idx[n_train * k:(n_train + n_test) * k])

# %% mistake: ignores the seed (the global generator: no two calls alike)
def paper_split(labels, seed, n_train=150, n_test=150):
    labels = np.asarray(labels)
    train, test = [], []
    for c in sorted(set(labels.tolist())):
        idx = np.random.permutation(np.flatnonzero(labels == c))
        train.append(idx[:n_train])
        test.append(idx[n_train:n_train + n_test])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))

# %% mistake: the test images counted from the end of the class (overlap training when a class is short)
def paper_split(labels, seed, n_train=150, n_test=150):
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in sorted(set(labels.tolist())):
        idx = rng.permutation(np.flatnonzero(labels == c))
        train.append(idx[:n_train])
        test.append(idx[-n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))

# %% mistake: positions not sorted
def paper_split(labels, seed, n_train=150, n_test=150):
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in sorted(set(labels.tolist())):
        idx = rng.permutation(np.flatnonzero(labels == c))
        train.append(idx[:n_train])
        test.append(idx[n_train:n_train + n_test])
    return np.concatenate(train), np.concatenate(test)
