"""Generate labs/vision_inspection/vision_inspection.ipynb (the nbgrader source of Lab 1).

Single source of the lab: edit this script, then run from the repository root::

    .venv/bin/python tools/build_vision_inspection.py

It writes the notebook without outputs. nbgrader derives the student release from it
(`make release LAB=vision_inspection`): solution blocks become stubs, hidden tests are removed.
The script lives outside labs/ so that it is never released to students.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indi.authoring import code, md, save, solution, tests, written  # noqa: E402

OUT = REPO / "labs" / "vision_inspection" / "vision_inspection.ipynb"


cells = []
add = cells.append

# ============================================================================ front matter
add(md(r"""
# Lab 1 — Machine-vision inspection of steel surfaces

**What you will learn**

- look at inspection images the way a classifier does: grey levels, texture, class balance, duplicates;
- normalise, denoise and flatten images, and see what each filter does to a defect;
- describe texture with local binary patterns (LBP) and grey-level co-occurrence matrices (GLCM) — and
  write one descriptor yourself;
- train and evaluate a support-vector classifier exactly as the published paper did, and compare;
- measure what camera noise, blur and uneven lighting do to accuracy, and make the pipeline robust;
- box defects with classical segmentation and measure how often the boxes are right;
- turn a classifier into an accept/reject decision with real costs, and choose the operating point;
- run the same pipeline on photos of **your own parts**.

**Time needed:** about 4 hours (the notebook itself runs in about a minute; the first run computes
image features for a minute more and keeps them in a cache).

**How it is graded:** 19 points are checked automatically (cells marked with tests) and 10 points come
from your written answers, which your teacher reads. Each task has *visible* tests you can run
yourself; the grade also uses *hidden* tests on other images and cases, so make your code correct in
general, not only for the examples.
"""))

add(md(r"""
## The shop-floor story

Lindqvist Plåt & Mek is a 30-person shop that buys hot-rolled steel plate and strip and cuts, bends and
welds it into machine frames. Every coil and plate is looked over by Amira, who has the best eye in the
shop — and also the welding certificate that the shop is short of. The manager, Jonas, wonders whether a
camera over the in-feed table and an ordinary PC could do the first pass: sort out clean material and
flag suspicious surfaces for Amira to check.

Before buying anything they want to know: **can a classical image pipeline tell defect types apart,
how often does it get it wrong, what do dirty lenses and bad lighting do to it, and what do the
mistakes cost?** This lab answers these questions on a public set of real inspection images.
"""))

add(md(r"""
## The data in brief

**NEU-DET** (Northeastern University, Shenyang; Song & Yan 2013; He et al. 2020): 1,800 grey images of
hot-rolled steel strip, 200 × 200 pixels, 8-bit (grey levels 0–255), taken on an inspection line. Six
surface-defect classes with 300 images each:

| class | what it is |
|---|---|
| `crazing` | a network of fine surface cracks |
| `inclusion` | non-metallic particles rolled into the surface |
| `patches` | irregular dark patches (scale, contamination) |
| `pitted_surface` | small pits spread over an area |
| `rolled-in_scale` | oxide scale pressed into the surface by the rolls |
| `scratches` | straight marks along the rolling direction |

Each image also has bounding boxes around its defects (4,189 boxes). Camera, lens, lighting and pixel
size are **not** given, so we cannot say how many millimetres a pixel is. Known pitfalls (from the data
card): two images are byte-identical (`patches_101` and `patches_105`), and 123 images contain boxes
of a second class. Every image shows a defect: there is no "good" class.

The data are read through `indi.data` only, which checks every file against its published checksum.
"""))

add(code(r"""
# Set-up: libraries, fixed random seeds, and the data (about 10 s the first time).
import os
os.environ.setdefault("OMP_NUM_THREADS", "1")  # steady timings on small machines

import hashlib
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

import indi
from indi import vision as iv
from indi.data import load_neu_det

SEED = 0
LAB_START = time.perf_counter()
neu = load_neu_det()                     # images (1800, 200, 200) uint8, labels, names, boxes
CLASSES = list(neu.classes)
print(f"{len(neu)} images of {neu.images.shape[1]}×{neu.images.shape[2]} px, {len(neu.boxes)} boxes")
""", "setup"))

# ============================================================================ task 1
add(md(r"""
## Task 1 — Explore the images

Before any model, look. A classifier only sees grey levels; two classes that *look* different to Amira
can have nearly the same grey-level statistics, and a data set can hide traps such as duplicates, which
would end up in both the training and the test set and make the result look better than it is.
"""))

add(code(r"""
# One row per class, six random images each.
iv.montage(neu.images, neu.labels, CLASSES, per_class=6, seed=SEED)
plt.show()

# Class balance and the grey-level histogram of each class (all pixels of all its images).
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.6))
pd.Series(neu.labels).value_counts().reindex(CLASSES).plot.barh(ax=ax1)
ax1.set_xlabel("images")
ax1.set_title("class balance")
for c in CLASSES:
    hist = np.bincount(neu.images[neu.labels == c].ravel(), minlength=256)
    ax2.plot(hist / hist.sum(), label=c)
ax2.set_xlabel("grey level (0 = black, 255 = white)")
ax2.set_ylabel("fraction of pixels")
ax2.legend(fontsize=8)
ax2.set_title("grey-level histograms per class")
fig.tight_layout()
plt.show()
"""))

add(md(r"""
### 1a. Find exact duplicates (1 point)

Write `find_exact_duplicates(images, names)` that returns every pair of images whose pixels are
exactly identical, as a list of `(first_name, later_name)` tuples in the order the images appear.
If an image appears three times (A, B, C), return `(A, B)` and `(A, C)`.
Tip: comparing all pairs of 1,800 images is slow; a hash of each image's bytes
(`hashlib.sha1(image.tobytes()).hexdigest()`) as a dictionary key finds duplicates in one pass.
"""))

add(solution(r"""
def find_exact_duplicates(images, names):
    '''Pairs (first_name, later_name) of pixel-identical images, in order of appearance.'''
    ### BEGIN SOLUTION
    first_seen = {}
    pairs = []
    for image, name in zip(images, names):
        key = hashlib.sha1(np.ascontiguousarray(image).tobytes()).hexdigest()
        if key in first_seen:
            pairs.append((first_seen[key], name))
        else:
            first_seen[key] = name
    return pairs
    ### END SOLUTION
""", "find_exact_duplicates"))

add(tests(r"""
_a = np.zeros((4, 4), np.uint8)
_b = np.eye(4, dtype=np.uint8) * 200
_found = find_exact_duplicates(np.stack([_a, _b, _a.copy()]), ["a", "b", "c"])
assert list(_found) == [("a", "c")], f"images 'a' and 'c' are identical, expected [('a', 'c')], got {_found}"
assert find_exact_duplicates(np.stack([_a, _b]), ["a", "b"]) == [], "two different images have no duplicate pair"
### BEGIN HIDDEN TESTS
_found = find_exact_duplicates(np.stack([_b, _a, _b.copy(), _b.copy()]), ["p", "q", "r", "s"])
assert list(_found) == [("p", "r"), ("p", "s")], _found
_c = _a.copy(); _c[3, 3] = 1
assert find_exact_duplicates(np.stack([_a, _c]), ["a", "c"]) == [], "one pixel differs: not a duplicate"
assert list(find_exact_duplicates(neu.images, neu.names)) == [("patches_101", "patches_105")]
### END HIDDEN TESTS
""", "test_find_exact_duplicates", 1))

add(code(r"""
# The lab uses NEU-DET without the duplicate from here on (1,799 images).
data = iv.classification_set(neu)
print(find_exact_duplicates(neu.images, neu.names), "->", len(data), "images kept")
"""))

add(written(r"""
**Reflection 1 (1 point).** Look at the montage and the histograms. Which two or three classes would you
expect a classifier to confuse, and why (what do their images have in common)? Why does a duplicate
image matter when you split the data into training and test images?

*Model answer (teacher's copy; the student version shows an empty answer cell).* Crazing and rolled-in scale are both fine, dark, grainy textures over the whole image with similar histograms; inclusion and scratches both show thin dark or bright marks; pitted surface and patches share dark blotches. A duplicate placed once in the training and once in the test set is a free right answer: the test then measures memory, not generalisation, and the accuracy is flattered.
""", "reflection_explore", 1))

# ============================================================================ task 2
add(md(r"""
## Task 2 — Pre-process: normalise, denoise, flatten

Images from a line differ in exposure: one coil is shinier, a lamp ages. Song & Yan (2013) therefore
normalise every image to the same mean grey level (128) and standard deviation (20 grey levels) before
computing features. Denoising (smoothing) removes camera grain but also blurs fine cracks; illumination
correction ("flattening") subtracts a smooth background so that a lamp to one side does not look like a
defect.

### 2a. Normalise an image (2 points)

Write `normalise_image(image, mean=128.0, std=20.0)` that returns a **float** array with exactly the given
mean and standard deviation (population std, `np.std`), keeping the pattern: subtract the image's mean,
divide by its std, multiply by `std`, add `mean`. A completely flat image (std 0) has no pattern:
return an array filled with `mean` (no division by zero). Do not change the input array.
"""))

add(solution(r"""
def normalise_image(image, mean=128.0, std=20.0):
    '''Grey levels shifted and scaled to the given mean and standard deviation (float array).'''
    ### BEGIN SOLUTION
    f = np.asarray(image, dtype=np.float64)
    s = f.std()
    if s == 0:
        return np.full(f.shape, float(mean))
    return (f - f.mean()) / s * std + mean
    ### END SOLUTION
""", "normalise_image"))

add(tests(r"""
_img = np.random.default_rng(1).integers(0, 256, (50, 60)).astype(np.uint8)
_out = normalise_image(_img)
assert _out.shape == _img.shape, f"the shape must stay {_img.shape}, got {_out.shape}"
assert np.issubdtype(_out.dtype, np.floating), f"return floats (uint8 would wrap around), got {_out.dtype}"
assert abs(_out.mean() - 128) < 1e-6, f"mean should be 128, got {_out.mean():.3f}"
assert abs(_out.std() - 20) < 1e-6, f"std should be 20, got {_out.std():.3f}"
### BEGIN HIDDEN TESTS
for _name in ["inclusion_33", "rolled-in_scale_271"]:
    _im = neu.images[neu.names.index(_name)]
    _keep = _im.copy()
    _o = normalise_image(_im, mean=100.0, std=35.0)
    assert abs(_o.mean() - 100) < 1e-6 and abs(_o.std() - 35) < 1e-6
    assert np.allclose(_o, iv.normalise(_im, 100.0, 35.0))
    assert np.array_equal(_im, _keep), "the input must not change"
_flat = normalise_image(np.full((8, 8), 77, np.uint8))
assert np.all(np.isfinite(_flat)) and np.allclose(_flat, 128.0)
### END HIDDEN TESTS
""", "test_normalise_image", 2))

add(md(r"""
Try the filters on a live image: change the denoiser and its strength, flatten the background (the
width of the smooth background in pixels) and switch normalisation on and off. Watch the histogram on
the right and the edges of the defect.
"""))

add(code(r"""
_example = data.images[data.names.index("inclusion_12")]
fig, axes = plt.subplots(1, 2, figsize=(7, 3.4))
axes[0].imshow(_example, cmap="gray", vmin=0, vmax=255); axes[0].set_title("inclusion_12")
axes[1].imshow(np.clip(normalise_image(_example), 0, 255), cmap="gray", vmin=0, vmax=255)
axes[1].set_title("normalised to 128 ± 20")
for ax in axes:
    ax.axis("off")
plt.show()
iv.filter_explorer(_example)
"""))

add(written(r"""
**Reflection 2 (1 point).** Which denoiser and strength keep the edges of the inclusion sharp while
removing grain? When would flattening the background help on your own line, and when could it remove
the very defect you are looking for?

*Model answer.* A median filter (or bilateral) of small strength removes grain and keeps the inclusion's edges; a strong Gaussian blurs them. Flattening helps when a lamp or the strip's curvature makes one side brighter; a background wider than the defect is needed, otherwise a large patch is taken for background and removed.
""", "reflection_preprocess", 1))

# ============================================================================ task 3
add(md(r"""
## Task 3 — Describe texture

Defects on strip are textures rather than objects, so we describe each image by statistics of its
texture:

- **Local binary patterns (LBP)** (Ojala et al. 2002): each pixel is compared with *P* neighbours on a
  circle of radius *R*; brighter/darker gives a bit pattern. The *rotation-invariant uniform* variant
  keeps patterns with at most two bright/dark changes around the circle (edges, spots, corners),
  labels them by their number of bright neighbours (0…P), and puts everything else in one bin: P + 2
  bins that do not change when the strip is rotated. We histogram them at three image scales.
- **Grey-level co-occurrence matrix (GLCM)** (Haralick et al. 1973): how often grey level *i* sits next
  to grey level *j* at a given offset. Smooth textures fill the diagonal; rough ones spread out.
  Summaries such as *contrast*, *homogeneity* and *correlation* become features.
- **Histogram of oriented gradients (HOG)** (Dalal & Triggs 2005) counts edge directions in cells;
  it suits objects with a shape. Below you can see why it adds little on these textures: in our trials
  HOG alone (324 numbers per image) reached about 85 %, and adding it to LBP + GLCM *lowered* the
  accuracy from about 99 % to 97 %, because hundreds of weak numbers dilute the good ones.
"""))

add(code(r"""
from skimage.feature import hog, local_binary_pattern

fig, axes = plt.subplots(4, 4, figsize=(12, 10.5))
for col, name in enumerate(["crazing_5", "pitted_surface_8", "scratches_3", "patches_9"]):
    im = data.images[data.names.index(name)]
    codes = local_binary_pattern(im, 8, 1, method="uniform")
    _, hog_image = hog(im, orientations=9, pixels_per_cell=(16, 16), cells_per_block=(1, 1), visualize=True)
    axes[0, col].imshow(im, cmap="gray", vmin=0, vmax=255); axes[0, col].set_title(name, fontsize=9)
    axes[1, col].imshow(codes, cmap="nipy_spectral"); axes[1, col].set_title("LBP code (P=8, R=1)", fontsize=9)
    axes[2, col].imshow(hog_image, cmap="magma"); axes[2, col].set_title("HOG: edge directions per cell", fontsize=9)
    axes[3, col].bar(np.arange(10), np.bincount(codes.astype(int).ravel(), minlength=10) / codes.size)
    axes[3, col].set_xlabel("LBP bin (9 = non-uniform)"); axes[3, col].set_ylim(0, 0.35)
    for ax in axes[:3, col]:
        ax.axis("off")
axes[3, 0].set_ylabel("fraction of pixels")
fig.tight_layout()
plt.show()
"""))

add(md(r"""
### 3a. Write the co-occurrence matrix yourself (3 points)

Write `cooccurrence_matrix(image, offset=(0, 1), levels=8)`. `image` holds integer grey levels
0 … `levels`−1; `offset = (d_row, d_col)` says where the neighbour is. Return an integer array `P`
of shape `(levels, levels)` where `P[i, j]` counts the pixel pairs with value `i` at `(r, c)` and
value `j` at `(r + d_row, c + d_col)`, over all positions where both pixels lie inside the image.
Offsets can be negative. Write it with NumPy yourself (no `skimage` in this function); the hidden
tests compare your result with `skimage.feature.graycomatrix` on NEU images.

Hint: take two shifted views of the image (`a` = the pixels that have a neighbour, `b` = those
neighbours, same shape), then count pairs with `np.add.at(P, (a.ravel(), b.ravel()), 1)` or
`np.bincount(a.ravel() * levels + b.ravel(), minlength=levels**2)`.

### 3b. GLCM contrast (1 point)

Write `glcm_contrast(P)`: normalise `P` to probabilities `p = P / P.sum()` and return
$\sum_{i,j} p_{ij}\,(i-j)^2$ (a float). Large when neighbouring grey levels differ a lot.
"""))

add(solution(r"""
def cooccurrence_matrix(image, offset=(0, 1), levels=8):
    '''Counts P[i, j] of pixel pairs: value i at (r, c), value j at (r + d_row, c + d_col).'''
    ### BEGIN SOLUTION
    img = np.asarray(image, dtype=np.int64)
    d_row, d_col = offset
    h, w = img.shape
    a = img[max(0, -d_row): h - max(0, d_row), max(0, -d_col): w - max(0, d_col)]
    b = img[max(0, d_row): h - max(0, -d_row), max(0, d_col): w - max(0, -d_col)]
    counts = np.bincount(a.ravel() * levels + b.ravel(), minlength=levels * levels)
    return counts.reshape(levels, levels)
    ### END SOLUTION


def glcm_contrast(P):
    '''Contrast of a co-occurrence matrix: sum of p_ij (i - j)^2 with p = P / P.sum().'''
    ### BEGIN SOLUTION
    p = np.asarray(P, dtype=np.float64)
    p = p / p.sum()
    i, j = np.indices(p.shape)
    return float(np.sum(p * (i - j) ** 2))
    ### END SOLUTION
""", "cooccurrence"))

add(tests(r"""
# The classic 4x4 example (Haralick et al. 1973), 4 grey levels, neighbour one pixel to the right.
_tiny = np.array([[0, 0, 1, 1], [0, 0, 1, 1], [0, 2, 2, 2], [2, 2, 3, 3]])
_P = cooccurrence_matrix(_tiny, offset=(0, 1), levels=4)
_expected = np.array([[2, 2, 1, 0], [0, 2, 0, 0], [0, 0, 3, 1], [0, 0, 0, 1]])
assert np.shape(_P) == (4, 4), f"P must be levels x levels = (4, 4), got {np.shape(_P)}"
assert np.array_equal(_P, _expected), f"offset (0, 1): expected\n{_expected}\ngot\n{_P}"
_down = cooccurrence_matrix(_tiny, offset=(1, 0), levels=4)
assert np.sum(_down) == 12, f"a 4x4 image has 12 vertical neighbour pairs, your matrix counts {np.sum(_down)}"
assert _down[0, 0] == 3, f"offset (1, 0): value 0 above value 0 happens 3 times, got {_down[0, 0]}"
### BEGIN HIDDEN TESTS
from skimage.feature import graycomatrix
_cases = [((0, 1), 0.0, 1), ((0, 3), 0.0, 3), ((1, 0), np.pi / 2, 1), ((2, 0), np.pi / 2, 2),
          ((1, 1), np.pi / 4, 1), ((1, -1), 3 * np.pi / 4, 1)]
for _name, _levels in [("crazing_271", 8), ("scratches_199", 16), ("pitted_surface_288", 5)]:
    _q = (neu.images[neu.names.index(_name)].astype(int) * _levels // 256).astype(np.uint8)
    for _off, _angle, _dist in _cases:
        _ref = graycomatrix(_q, [_dist], [_angle], levels=_levels)[:, :, 0, 0]
        assert np.array_equal(cooccurrence_matrix(_q, _off, _levels), _ref), (_name, _off)
    # a negative offset counts the same pairs the other way round: the transpose
    assert np.array_equal(cooccurrence_matrix(_q, (0, -1), _levels), graycomatrix(_q, [1], [0], levels=_levels)[:, :, 0, 0].T)
_rect = np.random.default_rng(5).integers(0, 3, (7, 11))
assert cooccurrence_matrix(_rect, (2, -3), 3).sum() == 5 * 8
### END HIDDEN TESTS
""", "test_cooccurrence_matrix", 3))

add(tests(r"""
assert glcm_contrast(np.eye(4)) == 0, "a diagonal matrix (neighbours always equal) has contrast 0"
assert abs(glcm_contrast(np.array([[0, 1], [1, 0]])) - 1.0) < 1e-12, "neighbours always differ by 1: contrast 1"
### BEGIN HIDDEN TESTS
from skimage.feature import graycomatrix, graycoprops
for _name in ["patches_287", "inclusion_266"]:
    _q = (neu.images[neu.names.index(_name)] // 32).astype(np.uint8)
    _g = graycomatrix(_q, [2], [np.pi / 2], levels=8)
    _ref = graycoprops(_g.astype(float) / _g.sum(), "contrast")[0, 0]
    assert abs(glcm_contrast(_g[:, :, 0, 0]) - _ref) < 1e-9
assert abs(glcm_contrast(np.array([[3, 0, 1], [0, 0, 0], [1, 0, 3]])) - 4 * 2 / 8) < 1e-12
### END HIDDEN TESTS
""", "test_glcm_contrast", 1))

add(md(r"""
Now the features the rest of the lab uses, from `indi.vision.texture_features`: LBP histograms at three
scales (30 numbers), five GLCM properties at four distances, averaged over four directions and with
their spread across directions (40 numbers), and four grey-level statistics — 74 numbers per image.
They are computed with scikit-image in two processes and kept in a cache on disk, so the next run is
instant. The map below squeezes the 74 numbers into two (principal component analysis): classes that
form separate clouds are easy to tell apart.
"""))

add(code(r"""
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

t0 = time.perf_counter()
features = iv.texture_features(data.images, desc="texture features")
print(f"features {features.shape} in {time.perf_counter() - t0:.1f} s")

xy = PCA(2, random_state=SEED).fit_transform(StandardScaler().fit_transform(features))
fig, ax = plt.subplots(figsize=(6, 4.5))
for c in CLASSES:
    m = data.labels == c
    ax.scatter(xy[m, 0], xy[m, 1], s=6, label=c)
ax.set_xlabel("principal component 1"); ax.set_ylabel("principal component 2")
ax.legend(fontsize=8, markerscale=2); ax.set_title("74 texture features, seen in 2-D")
plt.show()
"""))

add(written(r"""
**Reflection 3 (1 point).** Why is a *rotation-invariant* texture description a good idea for steel
strip seen by a fixed camera — and which defect could it be a bad idea for (think of the rolling
direction)? Which classes overlap in the 2-D map?

*Model answer.* The strip can pass the camera at slightly different angles and defects such as pits or crazing have no preferred direction, so rotation invariance removes a nuisance. Scratches follow the rolling direction: an orientation-sensitive feature (HOG, directional GLCM) could use that, and a rotation-invariant one throws it away. In the 2-D map crazing/rolled-in scale and inclusion/scratches overlap most.
""", "reflection_features", 1))

# ============================================================================ task 4
add(md(r"""
## Task 4 — Classify, and compare with the paper

Song & Yan (2013) evaluate on NEU-CLS by taking, **per class, 150 random images for training and 150
for testing**, repeating over random splits and reporting the mean accuracy. We do the same with a
standard pipeline: scale every feature to mean 0 and std 1, then a support-vector machine with a
radial-basis-function (RBF) kernel, whose two settings `C` and `gamma` we tune by 5-fold
cross-validation *inside* the training images only.

Our data has 299 `patches` after removing the duplicate, so that class has 149 test images.

### 4a. The paper's split (2 points)

Write `paper_split(labels, seed, n_train=150, n_test=150)` returning `(train_idx, test_idx)`, two
sorted integer arrays of positions: for each class, shuffle that class's positions with
`np.random.default_rng(seed)` and take the first `n_train` for training and the next `n_test` (or as
many as remain) for testing. The same seed must give the same split; no image may be in both.

### 4b. The classifier (1 point)

Write `make_classifier(C=10.0, gamma="scale")` returning a scikit-learn `Pipeline` of a
`StandardScaler` followed by an `SVC` with `kernel="rbf"` and the given `C` and `gamma`.
"""))

add(solution(r"""
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC


def paper_split(labels, seed, n_train=150, n_test=150):
    '''Per class n_train training and n_test test positions, shuffled with default_rng(seed).'''
    ### BEGIN SOLUTION
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in sorted(set(labels.tolist())):
        idx = rng.permutation(np.flatnonzero(labels == c))
        train.append(idx[:n_train])
        test.append(idx[n_train:n_train + n_test])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))
    ### END SOLUTION


def make_classifier(C=10.0, gamma="scale"):
    '''Feature scaling followed by an RBF support-vector machine.'''
    ### BEGIN SOLUTION
    return Pipeline([("scale", StandardScaler()), ("svm", SVC(kernel="rbf", C=C, gamma=gamma))])
    ### END SOLUTION
""", "split_and_classifier"))

add(tests(r"""
_labels = np.array(["a"] * 10 + ["b"] * 8)
_tr, _te = paper_split(_labels, seed=3, n_train=4, n_test=4)
assert len(_tr) == 8 and len(_te) == 8, f"4 + 4 per class for 2 classes: expected 8 and 8, got {len(_tr)} and {len(_te)}"
assert not set(np.asarray(_tr).tolist()) & set(np.asarray(_te).tolist()), "an image is in both training and test set"
assert sorted(_labels[_tr].tolist()) == ["a"] * 4 + ["b"] * 4, "each class needs n_train training images"
_tr2, _te2 = paper_split(_labels, seed=3, n_train=4, n_test=4)
assert np.array_equal(_tr, _tr2) and np.array_equal(_te, _te2), "the same seed must give the same split"
### BEGIN HIDDEN TESTS
_tr3, _te3 = paper_split(_labels, seed=4, n_train=4, n_test=4)
assert not (np.array_equal(_tr, _tr3) and np.array_equal(_te, _te3)), "another seed should give another split"
assert np.all(np.diff(_tr) > 0) and np.all(np.diff(_te) > 0), "return sorted positions"
_trd, _ted = paper_split(data.labels, seed=11)
assert len(_trd) == 900 and len(_ted) == 899
assert set(_trd.tolist()).isdisjoint(_ted.tolist()) and len(set(_trd.tolist()) | set(_ted.tolist())) == 1799
_u = np.array(["x"] * 5 + ["y"] * 20 + ["z"] * 6)
_tru, _teu = paper_split(_u, seed=0, n_train=3, n_test=10)
assert sorted(_u[_tru].tolist()) == ["x"] * 3 + ["y"] * 3 + ["z"] * 3
assert sorted(_u[_teu].tolist()) == ["x"] * 2 + ["y"] * 10 + ["z"] * 3
### END HIDDEN TESTS
""", "test_paper_split", 2))

add(tests(r"""
_clf = make_classifier()
assert isinstance(_clf, Pipeline), f"return a sklearn.pipeline.Pipeline, got {type(_clf).__name__}"
assert isinstance(_clf.steps[0][1], StandardScaler), "the first step should be a StandardScaler"
assert isinstance(_clf.steps[-1][1], SVC) and _clf.steps[-1][1].kernel == "rbf", "the last step should be SVC(kernel='rbf')"
### BEGIN HIDDEN TESTS
_clf = make_classifier(C=3.0, gamma=0.01)
assert _clf.steps[-1][1].C == 3.0 and _clf.steps[-1][1].gamma == 0.01
_tr, _te = next(iv.paper_splits(data.labels, n_splits=1, seed=99))
_acc = make_classifier().fit(features[_tr], data.labels[_tr]).score(features[_te], data.labels[_te])
assert _acc > 0.97, _acc
### END HIDDEN TESTS
""", "test_make_classifier", 1))

add(md(r"""
Tune `C` and `gamma` by 5-fold cross-validation on the training images of the first split, then keep
those settings for every split (tuning on test images would flatter the result).
"""))

add(code(r"""
from sklearn.model_selection import GridSearchCV, StratifiedKFold

train0, test0 = paper_split(data.labels, seed=0)
grid = GridSearchCV(
    make_classifier(),
    {"svm__C": [3.0, 10.0, 30.0, 100.0], "svm__gamma": ["scale", 0.005, 0.03]},
    cv=StratifiedKFold(5, shuffle=True, random_state=SEED), n_jobs=2,
)
grid.fit(features[train0], data.labels[train0])
best = {k.replace("svm__", ""): v for k, v in grid.best_params_.items()}
print(f"best settings {best}, cross-validated accuracy {grid.best_score_:.4f}")
"""))

add(code(r"""
N_SPLITS = 10
accuracies = []
for seed in tqdm(range(N_SPLITS), desc="random 150/150 splits"):
    tr, te = paper_split(data.labels, seed=seed)
    model = make_classifier(**best).fit(features[tr], data.labels[tr])
    accuracies.append(model.score(features[te], data.labels[te]))
    if seed == 0:
        predicted0 = model.predict(features[te])
accuracies = np.array(accuracies)
print(f"accuracy over {N_SPLITS} splits: {accuracies.mean():.2%} ± {accuracies.std():.2%} (mean ± std)")

from sklearn.metrics import recall_score

fig, ax = plt.subplots(figsize=(5.5, 5))
iv.plot_confusion(data.labels[test0], predicted0, CLASSES, ax=ax, title="split 0, test images")
plt.show()
recall = recall_score(data.labels[test0], predicted0, labels=CLASSES, average=None)
display(pd.DataFrame({"recall (split 0)": recall}, index=CLASSES).style.format("{:.1%}"))

comparison = pd.DataFrame(
    {"accuracy (%)": [97.93, 98.93, 100 * accuracies.mean()],
     "source": ["Song & Yan 2013", "Song & Yan 2013", f"this lab, mean of {N_SPLITS} splits"]},
    index=["LBP + SVM", "AECLBP + SVM", "multi-scale LBP + GLCM + stats, RBF-SVM"],
)
display(comparison)
"""))

add(tests(r"""
assert len(accuracies) >= 10, "evaluate at least 10 random splits"
assert accuracies.mean() > 0.98, f"mean accuracy {accuracies.mean():.3f}: the pipeline should reach 98 % here"
### BEGIN HIDDEN TESTS
assert accuracies.mean() > 0.985 and accuracies.std() < 0.01
### END HIDDEN TESTS
""", "test_accuracy", 1))

add(written(r"""
**Reflection 4 (2 points).** How does your accuracy compare with the paper's, and is the comparison
fair (same images? same protocol? what differs)? Which classes are confused in the matrix? Jonas asks:
"so 1 in 100 plates is wrong — is that good enough?" What else would you need to know to answer him?

*Model answer.* About 99.2 % against 97.9 % (LBP) and 98.9 % (AECLBP): same images and protocol, but JPEG rather than BMP files, other features and tuned settings, and the paper's exact splits are unknown; differences below about 0.5 % are within the spread between splits. Confusions are mostly crazing/rolled-in scale and inclusion/scratches. Whether 1 % is good enough depends on what a mistake costs, how many plates a day pass, whether the mistakes are between harmless classes, and how the line's images differ from NEU's (there is no 'good' class here).
""", "reflection_classify", 2))

# ============================================================================ task 5
add(md(r"""
## Task 5 — Robustness: noise, blur and uneven light

A camera on the shop floor is not a lab camera: sensor noise rises with heat and short exposure,
lenses get dusty (blur), a lamp is moved (uneven light). We measure what each does to accuracy.

**Signal-to-noise ratio (definition used in this lab).**
$\mathrm{SNR_{dB}} = 10\,\log_{10}\left(P_\text{signal} / P_\text{noise}\right)$, where
$P_\text{signal}$ is the *mean power of the image*, the mean of its squared grey levels, and
$P_\text{noise} = \sigma^2$ is the variance of added zero-mean Gaussian noise. So
$\sigma = \sqrt{P_\text{signal} / 10^{\mathrm{SNR_{dB}}/10}}$. For an image of mean grey level 128,
30 dB means σ ≈ 4 grey levels and 20 dB σ ≈ 13. The noisy image is rounded and clipped to 0 … 255.

### 5a. Add noise at a given SNR (2 points)

Write `add_gaussian_noise(image, snr_db, rng)` following the definition: compute the image's mean
power, the noise σ, add `rng.normal(0, sigma, image.shape)`, round, clip to 0 … 255 and return `uint8`.
`rng` is a `numpy.random.Generator`, so results are repeatable. Do not change the input.
"""))

add(solution(r"""
def add_gaussian_noise(image, snr_db, rng):
    '''Image plus white Gaussian noise at snr_db (dB, mean-power definition), as uint8.'''
    ### BEGIN SOLUTION
    f = np.asarray(image, dtype=np.float64)
    p_signal = np.mean(f ** 2)
    sigma = np.sqrt(p_signal / 10 ** (snr_db / 10))
    noisy = f + rng.normal(0.0, sigma, f.shape)
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)
    ### END SOLUTION
""", "add_gaussian_noise"))

add(tests(r"""
_clean = np.clip(128 + 20 * np.random.default_rng(2).standard_normal((120, 120)), 0, 255).astype(np.uint8)
_noisy = add_gaussian_noise(_clean, 30, np.random.default_rng(0))
assert _noisy.dtype == np.uint8 and _noisy.shape == _clean.shape, "return a uint8 image of the same shape"
_snr = iv.measured_snr_db(_clean, _noisy)
assert abs(_snr - 30) < 0.3, f"measured SNR {_snr:.2f} dB, expected 30 dB (check the power and the sqrt)"
### BEGIN HIDDEN TESTS
for _name, _db in [("crazing_290", 20), ("scratches_281", 35), ("inclusion_299", 25)]:
    _im = neu.images[neu.names.index(_name)]
    _keep = _im.copy()
    _n1 = add_gaussian_noise(_im, _db, np.random.default_rng(42))
    _n2 = add_gaussian_noise(_im, _db, np.random.default_rng(42))
    assert np.array_equal(_n1, _n2), "same generator seed, same noise"
    assert np.array_equal(_im, _keep)
    assert abs(iv.measured_snr_db(_im, _n1) - _db) < 0.4, (_name, iv.measured_snr_db(_im, _n1))
assert add_gaussian_noise(np.full((5, 5), 250, np.uint8), 0, np.random.default_rng(0)).max() <= 255
### END HIDDEN TESTS
""", "test_add_gaussian_noise", 2))

add(md(r"""
Below, the model tuned in Task 4 (trained on clean images of split 0) meets degraded copies of 20 test
images per class (120 images per condition, so one mistake is 0.8 %). `indi.vision.add_noise` applies exactly your definition to a whole stack at once.
"""))

add(code(r"""
fig, axes = plt.subplots(1, 6, figsize=(13, 2.6))
_im = data.images[data.names.index("scratches_3")]
_views = [("clean", _im)] + [(f"{db} dB", add_gaussian_noise(_im, db, np.random.default_rng(SEED))) for db in (40, 30, 20)]
_views += [("blur σ = 1.5 px", iv.blur(_im, 1.5)), ("uneven light ±40 %", iv.uneven_lighting(_im, 0.4, seed=1))]
for ax, (title, view) in zip(axes, _views):
    ax.imshow(view, cmap="gray", vmin=0, vmax=255); ax.set_title(title, fontsize=9); ax.axis("off")
plt.show()

rng_sub = np.random.default_rng(SEED)
subset = np.sort(np.concatenate([rng_sub.choice(test0[data.labels[test0] == c], 20, replace=False) for c in CLASSES]))
clean_sub = data.images[subset]
conditions = {"clean": clean_sub}
for db in (50, 40, 30, 20):
    conditions[f"noise {db} dB"] = iv.add_noise(clean_sub, db, seed=SEED + db)
conditions["blur σ = 1.5 px"] = iv.blur(clean_sub, 1.5)
conditions["uneven light ±40 %"] = iv.uneven_lighting(clean_sub, 0.4, seed=SEED)

baseline = make_classifier(**best).fit(features[train0], data.labels[train0])
baseline_acc = {name: baseline.score(iv.texture_features(imgs, desc=name), data.labels[subset])
                for name, imgs in conditions.items()}
"""))

add(md(r"""
**Making it robust.** Two classical remedies: (1) smooth every image (Gaussian, σ = 1 px) before
computing features, which removes most of the grain while keeping the texture; (2) train on clean
training images *plus* noisy copies of them (one set at 30 dB and one at 20 dB), so the classifier
learns which feature changes are only noise. To keep the run short we use 75 of the 150 training
images per class (3 × 450 training images).
"""))

add(code(r"""
SMOOTH = 1.0
rng_aug = np.random.default_rng(SEED + 1)
train_half = np.sort(np.concatenate([rng_aug.choice(train0[data.labels[train0] == c], 75, replace=False) for c in CLASSES]))
train_imgs = data.images[train_half]
aug_imgs = np.concatenate([train_imgs, iv.add_noise(train_imgs, 30, seed=101), iv.add_noise(train_imgs, 20, seed=102)])
aug_labels = np.concatenate([data.labels[train_half]] * 3)
aug_features = iv.texture_features(aug_imgs, smooth_sigma=SMOOTH, desc="robust training")
robust = make_classifier(**best).fit(aug_features, aug_labels)
robust_acc = {name: robust.score(iv.texture_features(imgs, smooth_sigma=SMOOTH, desc=name), data.labels[subset])
              for name, imgs in conditions.items()}

paper_noise = {"noise 50 dB": 98.87, "noise 40 dB": 98.53, "noise 30 dB": 88.29, "noise 20 dB": 37.09}
robustness = pd.DataFrame({
    "baseline (%)": pd.Series(baseline_acc) * 100,
    "robust (%)": pd.Series(robust_acc) * 100,
    "AECLBP + SVM, Song & Yan 2013 (%)": pd.Series(paper_noise),
}).reindex(list(conditions))
display(robustness.round(1))
ax = robustness[["baseline (%)", "robust (%)"]].plot.barh(figsize=(7, 4))
ax.set_xlabel("accuracy on 120 test images (%)"); ax.set_xlim(0, 100); ax.invert_yaxis()
plt.show()
robust_accuracy_30db = robust_acc["noise 30 dB"]
"""))

add(tests(r"""
assert robust_accuracy_30db > 0.9, f"robust pipeline at 30 dB: {robust_accuracy_30db:.3f}, expected above 0.9"
### BEGIN HIDDEN TESTS
assert robust_acc["noise 20 dB"] > 0.85 and robust_acc["clean"] > 0.95
assert robust_acc["noise 30 dB"] > baseline_acc["noise 30 dB"]
### END HIDDEN TESTS
""", "test_robustness", 1))

add(written(r"""
**Reflection 5 (1 point).** Which degradation hurt the baseline most, and what did the robust pipeline
cost on clean images? On a real line, which of these would you rather fix in hardware (lighting,
exposure, a lens hood, cleaning) than in software, and why?

*Model answer.* Noise at 20–30 dB and blur hurt the baseline most; the robust pipeline recovers noise almost completely at little cost on clean images, but not blur, and it is slightly worse under uneven light. Blur and light are cheaper to fix in hardware: a fixed focus and short exposure with strobe light, a lens hood, a cleaning routine and a diffuse light in an enclosure keep every image alike, which no software can restore afterwards.
""", "reflection_robustness", 1))

# ============================================================================ task 6
add(md(r"""
## Task 6 — Localise: where is the defect?

Classification says *what*; an operator also wants to know *where*. A classical localiser (in
`indi.vision.segment_defects`): smooth, subtract a median-filtered background, mark pixels that
deviate more than 3 robust standard deviations, close gaps with morphology and put a box around each
connected region larger than 400 px². A predicted box counts as found when its **intersection over
union** (IoU) with an annotated box is at least 0.5.

### 6a. Intersection over union (2 points)

Write `box_iou(a, b)` for boxes `(xmin, ymin, xmax, ymax)` in pixels, where the corner pixels belong to
the box (as in the NEU XML files: a box from x = 10 to x = 19 is 10 px wide). Return the area of the
overlap divided by the area of the union, a float between 0 and 1; boxes that do not overlap give 0.
"""))

add(solution(r"""
def box_iou(a, b):
    '''Intersection over union of two inclusive pixel boxes (xmin, ymin, xmax, ymax).'''
    ### BEGIN SOLUTION
    iw = min(a[2], b[2]) - max(a[0], b[0]) + 1
    ih = min(a[3], b[3]) - max(a[1], b[1]) + 1
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    area_a = (a[2] - a[0] + 1) * (a[3] - a[1] + 1)
    area_b = (b[2] - b[0] + 1) * (b[3] - b[1] + 1)
    return float(inter / (area_a + area_b - inter))
    ### END SOLUTION
""", "box_iou"))

add(tests(r"""
assert box_iou((10, 10, 19, 19), (10, 10, 19, 19)) == 1.0, "a box overlaps itself completely: IoU 1"
assert box_iou((0, 0, 9, 9), (20, 20, 29, 29)) == 0.0, "boxes far apart: IoU 0"
_v = box_iou((0, 0, 9, 9), (5, 0, 14, 9))
assert abs(_v - 50 / 150) < 1e-9, f"half-overlapping 10x10 boxes: 50 px shared of 150 px, IoU 1/3, got {_v}"
### BEGIN HIDDEN TESTS
assert abs(box_iou((0, 0, 9, 9), (9, 9, 18, 18)) - 1 / 199) < 1e-12, "a shared corner pixel counts"
assert box_iou((0, 0, 9, 9), (10, 0, 19, 9)) == 0.0
assert abs(box_iou((0, 0, 99, 49), (20, 10, 39, 29)) - 400 / 5000) < 1e-12
for _p, _q in [((3, 4, 50, 60), (10, 0, 70, 40)), ((0, 0, 0, 0), (0, 0, 1, 1))]:
    assert abs(box_iou(_p, _q) - box_iou(_q, _p)) < 1e-12 and abs(box_iou(_p, _q) - iv.box_iou(_p, _q)) < 1e-12
### END HIDDEN TESTS
""", "test_box_iou", 2))

add(code(r"""
loc_rows, examples = [], {}
rng_loc = np.random.default_rng(SEED)
for c in CLASSES:
    tp = fp = fn = 0
    for i in rng_loc.choice(np.flatnonzero(neu.labels == c), 50, replace=False):
        name = neu.names[i]
        pred, truth = iv.segment_defects(neu.images[i]), neu.boxes_of(name)
        t, f, n = iv.match_boxes(pred, truth, 0.5)
        tp, fp, fn = tp + t, fp + f, fn + n
        examples.setdefault(c, (i, pred, truth))
    loc_rows.append({"class": c, "precision @ IoU 0.5": tp / max(tp + fp, 1), "recall @ IoU 0.5": tp / max(tp + fn, 1),
                     "boxes found": tp, "annotated boxes": tp + fn})
localisation = pd.DataFrame(loc_rows).set_index("class")
display(localisation.style.format({"precision @ IoU 0.5": "{:.0%}", "recall @ IoU 0.5": "{:.0%}"}))

fig, axes = plt.subplots(1, 6, figsize=(15, 2.9))
for ax, (c, (i, pred, truth)) in zip(axes, examples.items()):
    ax.imshow(neu.images[i], cmap="gray", vmin=0, vmax=255)
    iv.draw_boxes(ax, truth, "lime", "annotated")
    iv.draw_boxes(ax, pred, "red", "found")
    ax.set_title(neu.names[i], fontsize=9); ax.axis("off")
axes[0].legend(fontsize=7, loc="lower left")
plt.show()
"""))

add(written(r"""
**Reflection 6 (1 point).** For which classes does the classical localiser work, and where does it fail?
Look at the examples: is it always the localiser's fault, or are some annotations themselves a matter
of taste (one big box or many small ones)? What would you tell Amira about trusting the boxes?

*Model answer.* It finds compact, contrasting defects (scratches, some patches and inclusions) and fails on crazing and rolled-in scale, whose defect is a texture over most of the image. Many misses are matters of annotation: one large box where the localiser finds several small ones (or the reverse) counts as wrong at IoU 0.5. Amira should treat the boxes as hints of where to look, not as measurements.
""", "reflection_localise", 1))

# ============================================================================ task 7
add(md(r"""
## Task 7 — Decide: accept or reject, and what mistakes cost

Suppose that for an order of welded, painted machine frames, **crazing, inclusions and pitted surface
are critical** (cracks and inclusions can start fatigue cracks at welds, pits show through paint),
while patches, rolled-in scale and light scratches are removed by shot blasting before painting. The line must decide per plate: *accept* or *reject for Amira to check*.

Two mistakes have different prices (illustrative figures for this shop):

- a **false reject** (a fine plate set aside): Amira's time and handling, 150 SEK;
- an **escaped defect** (a critical plate accepted): rework or a customer complaint, 4,000 SEK.

The camera over the in-feed table needs short exposures, so assume its images are as noisy as our
20 dB copies. The robust pipeline of Task 5 (refitted to give probabilities) gives each of the 120
noisy test plates a probability of being critical. The line rejects when that probability is at least
a threshold *t*. Lowering *t* rejects more plates: fewer escapes, more false
rejects.

### 7a. Cost per plate (2 points)

Write `cost_per_plate(threshold, p_critical, is_critical, cost_false_reject=150.0, cost_escape=4000.0)`:
reject the plates with `p_critical >= threshold`, count false rejects (rejected but not critical) and
escapes (accepted but critical), and return the **mean cost per plate** in SEK (a float).

### 7b. The operating point (1 point)

Set `chosen_threshold` to the threshold from `thresholds` with the lowest cost per plate on the
test images (the first one if several tie).
"""))

add(code(r"""
CRITICAL = ["crazing", "inclusion", "pitted_surface"]
prob_model = make_classifier(**best)
prob_model.set_params(svm__probability=True, svm__random_state=SEED)
prob_model.fit(aug_features, aug_labels)
line_features = iv.texture_features(conditions["noise 20 dB"], smooth_sigma=SMOOTH, desc="line camera")
proba = pd.DataFrame(prob_model.predict_proba(line_features), columns=prob_model.classes_)
p_critical = proba[CRITICAL].sum(axis=1).to_numpy()
is_critical = np.isin(data.labels[subset], CRITICAL)
thresholds = np.round(np.linspace(0.0, 1.0, 101), 2)
print(f"{is_critical.sum()} critical and {(~is_critical).sum()} non-critical test plates")
"""))

add(solution(r"""
def cost_per_plate(threshold, p_critical, is_critical, cost_false_reject=150.0, cost_escape=4000.0):
    '''Mean cost (SEK) per plate when plates with p_critical >= threshold are rejected.'''
    ### BEGIN SOLUTION
    p = np.asarray(p_critical, dtype=float)
    critical = np.asarray(is_critical, dtype=bool)
    reject = p >= threshold
    false_rejects = np.sum(reject & ~critical)
    escapes = np.sum(~reject & critical)
    return float((false_rejects * cost_false_reject + escapes * cost_escape) / len(p))
    ### END SOLUTION


costs = np.array([cost_per_plate(t, p_critical, is_critical) for t in thresholds])
### BEGIN SOLUTION
chosen_threshold = float(thresholds[np.argmin(costs)])
### END SOLUTION
""", "decide"))

add(tests(r"""
_p = np.array([0.9, 0.2, 0.6, 0.1])
_crit = np.array([True, True, False, False])
_c = cost_per_plate(0.5, _p, _crit)
assert abs(_c - (150 + 4000) / 4) < 1e-9, f"threshold 0.5: one false reject and one escape, (150 + 4000) / 4 SEK, got {_c}"
assert cost_per_plate(0.0, _p, _crit) == 2 * 150 / 4, "threshold 0 rejects every plate: only false rejects"
### BEGIN HIDDEN TESTS
assert cost_per_plate(0.6, _p, _crit, 100, 1000) == (100 + 1000) / 4, "p == threshold is rejected"
assert cost_per_plate(1.01, _p, _crit, 100, 1000) == 2000 / 4
assert abs(cost_per_plate(0.3, p_critical, is_critical) - (np.sum((p_critical >= 0.3) & ~is_critical) * 150 + np.sum((p_critical < 0.3) & is_critical) * 4000) / len(p_critical)) < 1e-9
### END HIDDEN TESTS
""", "test_cost_per_plate", 2))

add(tests(r"""
assert chosen_threshold in set(thresholds.tolist()), "choose one of the thresholds"
### BEGIN HIDDEN TESTS
_ref = [(np.sum((p_critical >= t) & ~is_critical) * 150 + np.sum((p_critical < t) & is_critical) * 4000) / len(p_critical) for t in thresholds]
assert chosen_threshold == float(thresholds[int(np.argmin(_ref))])
### END HIDDEN TESTS
""", "test_chosen_threshold", 1))

add(code(r"""
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(thresholds, costs, label="cost per plate")
ax.axvline(chosen_threshold, color="k", ls="--", label=f"chosen t = {chosen_threshold:.2f}")
ax.axvline(0.5, color="grey", ls=":", label="t = 0.5 (plain classifier)")
ax.set_xlabel("reject when P(critical) ≥ t"); ax.set_ylabel("mean cost per plate (SEK)")
ax.set_title("cost curve: 120 test plates at 20 dB, robust pipeline"); ax.legend()
plt.show()
reject = p_critical >= chosen_threshold
print(f"at t = {chosen_threshold:.2f}: {np.sum(reject & ~is_critical)} false rejects, "
      f"{np.sum(~reject & is_critical)} escapes, {cost_per_plate(chosen_threshold, p_critical, is_critical):.1f} SEK per plate; "
      f"at t = 0.5: {cost_per_plate(0.5, p_critical, is_critical):.1f} SEK per plate")
"""))

add(written(r"""
**Reflection 7 (2 points).** Why is the best threshold not 0.5? How would it move if an escape cost
40,000 SEK (a safety-critical frame)? Then, for Jonas: what does a shop like Lindqvist's need to run this
on the line — camera and lens, lighting, the cycle time per plate, where the PC sits, how new defect
types get into the training set, and **who** maintains it when Amira is welding?

*Model answer.* An escape costs about 27 times a false reject, so it pays to reject a plate at a much lower probability than 0.5; with 40,000 SEK per escape the threshold moves lower still and more plates go to Amira. On the line: a fixed industrial camera with a lens sharp at the strip's distance, diffuse or dark-field light in a shroud, a trigger from the conveyor, a cycle time set by the line speed (features take about 15 ms per image on one core), a PC by the line with a screen for Amira, a routine for saving and labelling uncertain images and retraining, and a named person (not only Amira) trained to maintain it, with time set aside for it.
""", "reflection_decide", 2))

# ============================================================================ task 8
add(md(r"""
## Task 8 — Your own parts

The pipeline works on any folder of grey or colour photos laid out like this:

```
my_parts/
    ok/            part_001.png, part_002.png, …
    scratch/       img_0017.jpg, …
    dent/          …
```

- one sub-folder per class, the folder name is the class name (at least two classes);
- PNG, JPEG, BMP or TIFF files; colour is converted to grey;
- all images the same size, or load with `size=(width, height)` to resize;
- photograph with the same camera, distance and light for every class, or the classifier will learn
  the light instead of the defect. Aim for at least 30 images per class.

`iv.load_image_folder(folder)` checks the folder and says in plain words what to fix. Below we build a
small example folder from NEU images and then break it on purpose to see the messages.
"""))

add(code(r"""
import shutil
import tempfile
from pathlib import Path

import cv2

demo = Path(tempfile.mkdtemp(prefix="my_parts_"))
for c in ["crazing", "patches", "scratches"]:
    (demo / c).mkdir()
    for name in [n for n in data.names if n.rsplit("_", 1)[0] == c][:30]:
        cv2.imwrite(str(demo / c / f"{name}.png"), data.images[data.names.index(name)])

parts = iv.load_image_folder(demo)
print(f"{len(parts)} images, classes {parts.classes}, size {parts.images.shape[1:]}")

# Mistakes people make, and the messages they get:
(demo / "patches" / "notes.txt").write_text("exposure 2 ms")
(demo / "empty_class").mkdir()
for problem in ["a text file among the images", "an empty class folder"]:
    try:
        iv.load_image_folder(demo)
    except indi.InputError as err:
        print(f"\n{problem} →", err)
    (demo / "patches" / "notes.txt").unlink(missing_ok=True)

shutil.rmtree(demo / "empty_class")
cv2.imwrite(str(demo / "scratches" / "odd_size.png"), np.zeros((120, 160), np.uint8))
try:
    iv.load_image_folder(demo)
except indi.InputError as err:
    print("\nmixed sizes →", err)
print("\nwith size=(200, 200):", iv.load_image_folder(demo, size=(200, 200)).images.shape)
shutil.rmtree(demo)
"""))

add(code(r"""
# Your turn: put the path of your own folder here (for example "my_parts") and run the cell.
MY_FOLDER = None

from sklearn.model_selection import cross_val_score

if MY_FOLDER is not None:
    mine = iv.load_image_folder(MY_FOLDER, size=(200, 200))
    iv.montage(mine.images, mine.labels, mine.classes, per_class=5)
    plt.show()
    mine_features = iv.texture_features(mine.images, desc="your images")
    folds = min(5, int(pd.Series(mine.labels).value_counts().min()))
    scores = cross_val_score(make_classifier(**best), mine_features, mine.labels,
                             cv=StratifiedKFold(folds, shuffle=True, random_state=SEED))
    print(f"{folds}-fold cross-validated accuracy on your parts: {scores.mean():.1%} ± {scores.std():.1%}")
else:
    print("Set MY_FOLDER to a folder laid out as above to try the pipeline on your own parts.")
print(f"whole notebook: {time.perf_counter() - LAB_START:.0f} s")
"""))

add(written(r"""
**Reflection 8 (1 point).** Which surfaces or parts in your own shop (or one you know) would you
photograph first, which classes would you define, and how would you make sure that the "ok" and the
"defect" photos differ only in the defect (same light, same camera, same time of day)?

*Model answer.* For example laser-cut edges (ok / dross / burn marks) or welded seams (ok / porosity / undercut), photographed on a jig with a fixed phone or camera and a diffuse LED panel, all classes mixed over the same days so that the light or the time of day does not tell the classes apart.
""", "reflection_own_parts", 1))

add(md(r"""
## Key points

- Look before you model: class balance, histograms and **duplicates** (NEU-DET has one) decide whether a
  result can be trusted.
- Classical texture features (multi-scale LBP, GLCM, grey-level statistics) with an RBF-SVM reach about
  99 % on NEU's 150/150 protocol on an ordinary PC, without a neural network.
- Accuracy on clean lab images says little about a real line: noise at 30 dB already breaks a
  texture classifier; smoothing and training on degraded copies recover most of it. Good lighting and
  exposure are cheaper than clever software.
- Localising defects with thresholds and morphology works for compact, contrasting defects and fails on
  textures spread over the whole image; measure it (IoU, precision, recall) instead of trusting the picture.
- The operating point is a business decision: with an escaped defect costing far more than a false
  reject, the best threshold is well below 0.5.

## Try it on your own shop's data

Photograph 30–100 surfaces per class with a fixed camera and light (a phone on a stand under a
diffuse LED panel is a start), sort them into one folder per class, set `MY_FOLDER` in Task 8 and run
the notebook. Start with two classes (ok / defect) and ask: which mistake costs more on our line?

*Sources:* K. Song and Y. Yan, Applied Surface Science 285B (2013) 858–864 (NEU-CLS, protocol, LBP and
AECLBP results); Y. He, K. Song, Q. Meng and Y. Yan, IEEE Trans. Instrum. Meas. 69(4) (2020) 1493–1504
(NEU-DET boxes); T. Ojala, M. Pietikäinen and T. Mäenpää, IEEE TPAMI 24(7) (2002) 971–987 (LBP);
R. M. Haralick, K. Shanmugam and I. Dinstein, IEEE Trans. SMC 3(6) (1973) 610–621 (GLCM);
N. Dalal and B. Triggs, CVPR 2005 (HOG).
"""))

if __name__ == "__main__":
    print(save(OUT, cells))
