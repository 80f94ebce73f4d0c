# %% correct: a loop over candidates with scipy's norm
def expected_improvement(mu, sigma, best, xi=0.01):
    out = []
    for m, s in zip(np.ravel(mu), np.ravel(sigma), strict=True):
        gain = m - best - xi
        if s <= 0:
            out.append(max(gain, 0.0))
        else:
            z = gain / s
            out.append(gain * norm.cdf(z) + s * norm.pdf(z))
    return np.array(out)

# %% correct: errstate and np.divide with a where-mask
def expected_improvement(mu, sigma, best, xi=0.01):
    mu, sigma = np.asarray(mu, float), np.asarray(sigma, float)
    imp = mu - best - xi
    z = np.divide(imp, sigma, out=np.zeros_like(imp), where=sigma > 0)
    ei = imp * norm.cdf(z) + sigma * norm.pdf(z)
    ei[sigma == 0] = np.maximum(imp[sigma == 0], 0.0)
    return ei

# %% mistake: probability of improvement instead of expected improvement
def expected_improvement(mu, sigma, best, xi=0.01):
    mu, sigma = np.asarray(mu, float), np.asarray(sigma, float)
    z = (mu - best - xi) / np.where(sigma > 0, sigma, 1.0)
    return np.where(sigma > 0, norm.cdf(z), (mu - best - xi > 0).astype(float))

# %% mistake: minimisation sign (best - mu)
def expected_improvement(mu, sigma, best, xi=0.01):
    mu, sigma = np.asarray(mu, float), np.asarray(sigma, float)
    gain = best - mu - xi
    z = gain / np.where(sigma > 0, sigma, 1.0)
    return np.where(sigma > 0, gain * norm.cdf(z) + sigma * norm.pdf(z), np.maximum(gain, 0.0))

# %% mistake: sigma = 0 not handled (division by zero)
def expected_improvement(mu, sigma, best, xi=0.01):
    mu, sigma = np.asarray(mu, float), np.asarray(sigma, float)
    z = (mu - best - xi) / sigma
    return (mu - best - xi) * norm.cdf(z) + sigma * norm.pdf(z)

# %% mistake: xi ignored
def expected_improvement(mu, sigma, best, xi=0.01):
    mu, sigma = np.asarray(mu, float), np.asarray(sigma, float)
    gain = mu - best
    z = gain / np.where(sigma > 0, sigma, 1.0)
    return np.where(sigma > 0, gain * norm.cdf(z) + sigma * norm.pdf(z), np.maximum(gain, 0.0))
