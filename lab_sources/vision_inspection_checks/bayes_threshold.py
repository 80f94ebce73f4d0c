# ruff: noqa  (variants redefine one function and use the notebook's names: np, hashlib, iv)
# Grader checks for Task 7b (bayes_threshold). Each variant replaces the solution cell.
# %% correct: through the posterior odds written as a prior-ratio correction
def bayes_threshold(cost_false_reject, cost_escape, prevalence=None, base_rate=0.5):
    t = cost_false_reject / (cost_false_reject + cost_escape)
    if prevalence is None:
        return t
    shift = (base_rate * (1 - prevalence)) / ((1 - base_rate) * prevalence)
    o = t / (1 - t) * shift
    return o / (1 + o)

# %% correct: solve the two expected costs for equality with logits
def bayes_threshold(cost_false_reject, cost_escape, prevalence=None, base_rate=0.5):
    import math
    logit = math.log(cost_false_reject / cost_escape)
    if prevalence is not None:
        logit += math.log(base_rate / (1 - base_rate)) - math.log(prevalence / (1 - prevalence))
    return 1 / (1 + math.exp(-logit))

# %% mistake: the ratio of the costs instead of c_FR / (c_FR + c_esc)
def bayes_threshold(cost_false_reject, cost_escape, prevalence=None, base_rate=0.5):
    t = cost_false_reject / cost_escape
    if prevalence is not None:
        t = t * (base_rate / (1 - base_rate)) / (prevalence / (1 - prevalence))
    return t

# %% mistake: the prior correction the wrong way round
def bayes_threshold(cost_false_reject, cost_escape, prevalence=None, base_rate=0.5):
    odds = cost_false_reject / cost_escape
    if prevalence is not None:
        odds = odds * (prevalence / (1 - prevalence)) / (base_rate / (1 - base_rate))
    return odds / (1 + odds)

# %% mistake: the escape cost on top (c_esc / (c_FR + c_esc))
def bayes_threshold(cost_false_reject, cost_escape, prevalence=None, base_rate=0.5):
    odds = cost_escape / cost_false_reject
    if prevalence is not None:
        odds = odds * (base_rate / (1 - base_rate)) / (prevalence / (1 - prevalence))
    return odds / (1 + odds)

# %% mistake: the threshold scaled by the prevalence ratio instead of its odds
def bayes_threshold(cost_false_reject, cost_escape, prevalence=None, base_rate=0.5):
    t = cost_false_reject / (cost_false_reject + cost_escape)
    if prevalence is not None:
        t = min(1.0, t * base_rate / prevalence)
    return t
