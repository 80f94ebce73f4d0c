# ruff: noqa  (variants redefine one function and use the notebook's names: np, hashlib, iv)
# Grader checks for Task 6a (box_iou). Each variant replaces the solution cell.
# %% correct: unpacked corners, max(0, ...) instead of an early return
def box_iou(a, b):
    ax0, ay0, ax1, ay1 = a
    bx0, by0, bx1, by1 = b
    w = max(0, min(ax1, bx1) - max(ax0, bx0) + 1)
    h = max(0, min(ay1, by1) - max(ay0, by0) + 1)
    inter = w * h
    union = (ax1 - ax0 + 1) * (ay1 - ay0 + 1) + (bx1 - bx0 + 1) * (by1 - by0 + 1) - inter
    return inter / union

# %% correct: count pixels on boolean masks (slow, but exactly the definition)
def box_iou(a, b):
    size = max(a[2], a[3], b[2], b[3]) + 1
    ma = np.zeros((size, size), bool)
    mb = np.zeros((size, size), bool)
    ma[a[1]:a[3] + 1, a[0]:a[2] + 1] = True
    mb[b[1]:b[3] + 1, b[0]:b[2] + 1] = True
    return float((ma & mb).sum() / (ma | mb).sum())

# %% mistake: exclusive corners (width xmax - xmin, as in many libraries)
def box_iou(a, b):
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    area_b = (b[2] - b[0]) * (b[3] - b[1])
    return float(inter / (area_a + area_b - inter))

# %% mistake: no check for boxes that do not overlap (two negative sides multiply to a positive area)
def box_iou(a, b):
    iw = min(a[2], b[2]) - max(a[0], b[0]) + 1
    ih = min(a[3], b[3]) - max(a[1], b[1]) + 1
    inter = iw * ih
    area_a = (a[2] - a[0] + 1) * (a[3] - a[1] + 1)
    area_b = (b[2] - b[0] + 1) * (b[3] - b[1] + 1)
    return float(inter / (area_a + area_b - inter))

# %% mistake: intersection over the smaller box instead of over the union
def box_iou(a, b):
    iw = min(a[2], b[2]) - max(a[0], b[0]) + 1
    ih = min(a[3], b[3]) - max(a[1], b[1]) + 1
    if iw <= 0 or ih <= 0:
        return 0.0
    area_a = (a[2] - a[0] + 1) * (a[3] - a[1] + 1)
    area_b = (b[2] - b[0] + 1) * (b[3] - b[1] + 1)
    return float(iw * ih / min(area_a, area_b))
