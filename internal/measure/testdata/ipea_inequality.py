#!/usr/bin/env python3
"""Independent check of the IPEA inequality and poverty measures on the Belo
Horizonte example data of IPEA's accessibility package.

Written from the published formulas, not from the Go code:
  - Foster, Greer & Thorbecke (1984), as accessibility::fgt_poverty applies
    them: FGT_a = sum_i w_i g_i^a / sum_i w_i, g_i = (z - x_i)/z for x_i < z,
    0 otherwise (a = 0, 1, 2; z the poverty line).
  - The concentration index of Wagstaff, van Doorslaer & Watanabe (1991) with
    the weighted fractional rank of van Doorslaer & Koolman (2004, eq. 4),
    CI = 2 sum_i p_i (R_i - 1/2)(x_i - mu)/mu, and Erreygers' (2009)
    correction CIc = 4 mu CI / (max x - min x), as accessibility::
    concentration_index computes them: every cell sorted by income with a
    stable sort (missing incomes first), ties left in input (id) order, the
    bounds taken over every cell.
  - Theil T as accessibility::theil_t without groups: cells with zero access
    dropped, the weights renormalised over the cells that remain, the mean
    taken over everyone.

Standard library only. Run from the repository root:
  python3 internal/measure/testdata/ipea_inequality.py ../shared/datasets/belo-horizonte
"""
import csv
import math
import sys


def load(folder):
    land = {}
    order = []
    with open(folder + "/land_use_data.csv", newline="") as f:
        for row in csv.DictReader(f):
            inc = row["income_per_capita"]
            land[row["id"]] = (float(row["population"]), float(row["jobs"]),
                               None if inc in ("", "NA") else float(inc))
            order.append(row["id"])
    order.sort()  # IPEA's access data frame is ordered by id
    times = []
    with open(folder + "/travel_matrix.csv", newline="") as f:
        for row in csv.DictReader(f):
            times.append((row["from_id"], row["to_id"], float(row["travel_time"])))
    return land, order, times


def cumulative(land, order, times, cutoff):
    acc = {i: 0.0 for i in order}
    for o, d, t in times:
        if t <= cutoff:
            acc[o] += land[d][1]
    return [acc[i] for i in order]


def fgt(x, w, z):
    out = []
    for a in (0, 1, 2):
        num = 0.0
        for xi, wi in zip(x, w):
            if xi < z:
                num += wi * ((z - xi) / z) ** a
        out.append(num / sum(w))
    return out


def concentration(x, w, inc, ties_by_pop=False, populated_range=False):
    idx = list(range(len(x)))
    if ties_by_pop:  # the earlier draft: populated cells only, ties by population
        idx = [i for i in idx if w[i] > 0 and inc[i] is not None]
        idx.sort(key=lambda i: (inc[i], w[i]))
    else:
        idx.sort(key=lambda i: -math.inf if inc[i] is None else inc[i])
    W = sum(w[i] for i in idx)
    mu = sum(w[i] * x[i] for i in idx) / W
    s, before = 0.0, 0.0
    for i in idx:
        p = w[i] / W
        r = before + p / 2
        s += p * (r - 0.5) * (x[i] - mu) / mu
        before += p
    ci = 2 * s
    rng = idx if populated_range else range(len(x))
    hi = max(x[i] for i in rng)
    lo = min(x[i] for i in rng)
    return ci, 4 * mu * ci / (hi - lo)


def theil(x, w):
    W = sum(w)
    mu = sum(a * b for a, b in zip(x, w)) / W
    keep = [(a, b) for a, b in zip(x, w) if a > 0]
    Wk = sum(b for _, b in keep)
    ipea = sum(b * (a / mu) * math.log(a / mu) for a, b in keep) / Wk
    limit = sum(b * (a / mu) * math.log(a / mu) for a, b in keep) / W
    return ipea, limit


def main():
    land, order, times = load(sys.argv[1])
    w = [land[i][0] for i in order]
    inc = [land[i][2] for i in order]
    x30 = cumulative(land, order, times, 30)
    for z in (95368, 20000):
        print("cumulative 30, poverty line %d: FGT0 %r FGT1 %r FGT2 %r" % ((z,) + tuple(fgt(x30, w, z))))
    ci, cic = concentration(x30, w, inc)
    print("cumulative 30, IPEA ties and range: CI %r CIc %r" % (ci, cic))
    ci, cic = concentration(x30, w, inc, ties_by_pop=True, populated_range=True)
    print("cumulative 30, ties by population, populated range: CI %r CIc %r" % (ci, cic))
    for cut in (10, 15):
        x = cumulative(land, order, times, cut)
        zero = sum(1 for a, b in zip(x, w) if a == 0 and b > 0)
        print("cumulative %d: %d populated cells without access; Theil T IPEA %r, with 0 ln 0 = 0 %r" % ((cut, zero) + theil(x, w)))


main()
