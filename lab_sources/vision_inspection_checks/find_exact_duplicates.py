# ruff: noqa  (variants redefine one function and use the notebook's names: np, hashlib, iv)
# Grader checks for Task 1a (find_exact_duplicates). Each variant replaces the solution cell.
# %% correct: compare every pair with np.array_equal (slow but right)
def find_exact_duplicates(images, names):
    pairs = []
    taken = set()
    for i in range(len(images)):
        if i in taken:
            continue
        for j in range(i + 1, len(images)):
            if j not in taken and np.array_equal(images[i], images[j]):
                pairs.append((names[i], names[j]))
                taken.add(j)
    return pairs

# %% correct: the raw bytes as dictionary key, names kept in a list per image
def find_exact_duplicates(images, names):
    groups = {}
    for img, nm in zip(images, names):
        groups.setdefault(bytes(np.ascontiguousarray(img)), []).append(nm)
    out = []
    for nm in names:
        for group in groups.values():
            if group[0] == nm:
                out += [(group[0], later) for later in group[1:]]
    return out

# %% mistake: chains the pairs (A, B), (B, C) instead of (A, B), (A, C)
def find_exact_duplicates(images, names):
    last_seen = {}
    pairs = []
    for image, name in zip(images, names):
        key = hashlib.sha1(image.tobytes()).hexdigest()
        if key in last_seen:
            pairs.append((last_seen[key], name))
        last_seen[key] = name
    return pairs

# %% mistake: the grey-level histogram as key (same pixels in another arrangement count as duplicates)
def find_exact_duplicates(images, names):
    first_seen = {}
    pairs = []
    for image, name in zip(images, names):
        key = tuple(np.bincount(image.ravel(), minlength=256))
        if key in first_seen:
            pairs.append((first_seen[key], name))
        else:
            first_seen[key] = name
    return pairs

# %% mistake: pairs in the wrong order (later, first)
def find_exact_duplicates(images, names):
    first_seen = {}
    pairs = []
    for image, name in zip(images, names):
        key = hashlib.sha1(image.tobytes()).hexdigest()
        if key in first_seen:
            pairs.append((name, first_seen[key]))
        else:
            first_seen[key] = name
    return pairs
