# ruff: noqa  (variants redefine one function and use the notebook's names: np, hashlib, iv)
# Grader checks for Task 3a (cooccurrence_matrix). Each variant replaces the solution cell.
# %% correct: a plain double loop over the pixels
def cooccurrence_matrix(image, offset=(0, 1), levels=8):
    img = np.asarray(image)
    dr, dc = offset
    P = np.zeros((levels, levels), dtype=int)
    for r in range(img.shape[0]):
        for c in range(img.shape[1]):
            r2, c2 = r + dr, c + dc
            if 0 <= r2 < img.shape[0] and 0 <= c2 < img.shape[1]:
                P[img[r, c], img[r2, c2]] += 1
    return P

# %% correct: shifted views and np.add.at
def cooccurrence_matrix(image, offset=(0, 1), levels=8):
    img = np.asarray(image).astype(int)
    h, w = img.shape
    dr, dc = offset
    rows = np.arange(max(0, -dr), min(h, h - dr))
    cols = np.arange(max(0, -dc), min(w, w - dc))
    a = img[np.ix_(rows, cols)]
    b = img[np.ix_(rows + dr, cols + dc)]
    P = np.zeros((levels, levels), dtype=np.int64)
    np.add.at(P, (a.ravel(), b.ravel()), 1)
    return P

# %% mistake: rows and columns of the offset swapped (counts the neighbour below for (0, 1))
def cooccurrence_matrix(image, offset=(0, 1), levels=8):
    img = np.asarray(image, dtype=np.int64)
    d_col, d_row = offset
    h, w = img.shape
    a = img[max(0, -d_row): h - max(0, d_row), max(0, -d_col): w - max(0, d_col)]
    b = img[max(0, d_row): h - max(0, -d_row), max(0, d_col): w - max(0, -d_col)]
    return np.bincount(a.ravel() * levels + b.ravel(), minlength=levels * levels).reshape(levels, levels)

# %% mistake: np.roll wraps around the border (counts pairs that are not neighbours)
def cooccurrence_matrix(image, offset=(0, 1), levels=8):
    img = np.asarray(image, dtype=np.int64)
    b = np.roll(img, shift=(-offset[0], -offset[1]), axis=(0, 1))
    return np.bincount(img.ravel() * levels + b.ravel(), minlength=levels * levels).reshape(levels, levels)

# %% mistake: negative offsets treated as positive (abs)
def cooccurrence_matrix(image, offset=(0, 1), levels=8):
    img = np.asarray(image, dtype=np.int64)
    d_row, d_col = abs(offset[0]), abs(offset[1])
    h, w = img.shape
    a = img[: h - d_row, : w - d_col]
    b = img[d_row:, d_col:]
    return np.bincount(a.ravel() * levels + b.ravel(), minlength=levels * levels).reshape(levels, levels)
