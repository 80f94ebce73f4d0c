# %% correct: sklearn with zero_division
def precision_recall(alarm, worn):
    from sklearn.metrics import precision_score, recall_score
    alarm, worn = np.asarray(alarm, dtype=bool), np.asarray(worn, dtype=bool)
    if alarm.size == 0:
        return 0.0, 0.0
    return (float(precision_score(worn, alarm, zero_division=0.0)),
            float(recall_score(worn, alarm, zero_division=0.0)))

# %% correct: counts in a loop
def precision_recall(alarm, worn):
    tp = fp = fn = 0
    for a, w in zip(np.asarray(alarm, dtype=bool), np.asarray(worn, dtype=bool), strict=True):
        tp += int(a and w)
        fp += int(a and not w)
        fn += int(w and not a)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return float(precision), float(recall)

# %% mistake: precision and recall swapped
def precision_recall(alarm, worn):
    alarm, worn = np.asarray(alarm, dtype=bool), np.asarray(worn, dtype=bool)
    tp = np.sum(alarm & worn)
    recall = tp / alarm.sum() if alarm.sum() else 0.0
    precision = tp / worn.sum() if worn.sum() else 0.0
    return float(precision), float(recall)

# %% mistake: divides by zero (NaN and a warning when there are no alarms)
def precision_recall(alarm, worn):
    alarm, worn = np.asarray(alarm, dtype=bool), np.asarray(worn, dtype=bool)
    tp = np.sum(alarm & worn)
    return float(tp / np.sum(alarm)), float(tp / np.sum(worn))

# %% mistake: accuracy instead of precision
def precision_recall(alarm, worn):
    alarm, worn = np.asarray(alarm, dtype=bool), np.asarray(worn, dtype=bool)
    tp = np.sum(alarm & worn)
    recall = tp / worn.sum() if worn.sum() else 0.0
    return float(np.mean(alarm == worn)), float(recall)
