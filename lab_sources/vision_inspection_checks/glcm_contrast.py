# ruff: noqa  (variants redefine one function and use the notebook's names: np, hashlib, iv)
# Grader checks for Task 3b (glcm_contrast). Each variant replaces the solution cell.
# %% correct: loops over i and j
def glcm_contrast(P):
    P = np.asarray(P, dtype=float)
    total = P.sum()
    c = 0.0
    for i in range(P.shape[0]):
        for j in range(P.shape[1]):
            c += P[i, j] / total * (i - j) ** 2
    return float(c)

# %% correct: an outer difference
def glcm_contrast(P):
    p = np.asarray(P, float) / np.sum(P)
    k = np.arange(p.shape[0])
    return float((p * np.subtract.outer(k, k) ** 2).sum())

# %% mistake: forgets to normalise P to probabilities
def glcm_contrast(P):
    P = np.asarray(P, dtype=np.float64)
    i, j = np.indices(P.shape)
    return float(np.sum(P * (i - j) ** 2))

# %% mistake: |i - j| instead of (i - j)^2 (that is dissimilarity)
def glcm_contrast(P):
    p = np.asarray(P, dtype=np.float64)
    p = p / p.sum()
    i, j = np.indices(p.shape)
    return float(np.sum(p * np.abs(i - j)))
