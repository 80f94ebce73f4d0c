# %% correct: solve by bisection on the bar price
def break_even_bar_price(part, rates, batch=10):
    from dataclasses import replace as _replace

    def gap(price):
        r = {**rates, "bar_price_sek_kg": _replace(rates["bar_price_sek_kg"], value=price)}
        c = am.route_costs(part, r, batch)["total_sek"]
        return c["mill from solid"] - c["print + finish-mill"]

    lo, hi = 0.0, 1.0
    while gap(hi) < 0:
        hi *= 2
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if gap(mid) < 0 else (lo, mid)
    return (lo + hi) / 2

# %% correct: positional rows with iloc
def break_even_bar_price(part, rates, batch=10):
    c = am.route_costs(part, rates, batch)
    solid, printed = c.iloc[0], c.iloc[1]
    return (printed.total_sek - solid.machine_sek) / solid.material_kg

# %% mistake: ignores the milling machine cost of the solid route
def break_even_bar_price(part, rates, batch=10):
    c = am.route_costs(part, rates, batch)
    return float(c.loc["print + finish-mill", "total_sek"] / c.loc["mill from solid", "material_kg"])

# %% mistake: the price per kg of the printed route's material
def break_even_bar_price(part, rates, batch=10):
    c = am.route_costs(part, rates, batch)
    return float(c.loc["print + finish-mill", "total_sek"] / c.loc["print + finish-mill", "material_kg"])

# %% mistake: batch size not passed on (always a batch of 10)
def break_even_bar_price(part, rates, batch=10):
    c = am.route_costs(part, rates)
    solid = c.loc["mill from solid"]
    return float((c.loc["print + finish-mill", "total_sek"] - solid["machine_sek"]) / solid["material_kg"])
