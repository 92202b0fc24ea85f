"""A fast analytic approximation of the dynamic batcher's latency under Poisson load (one replica).

An embedded Markov chain on N, the number of requests waiting when the instance becomes free:

- N = 0: the instance idles until a request arrives; the batch then waits up to the queue delay D
  for `max_batch_size` (B) requests: it fills when B-1 more arrive within D (Erlang time), else
  leaves after D with 1 + Poisson(lambda D) requests;
- 0 < N < B: the waiting requests arrived over a span (the service that just ended, plus the age
  of any left over before it); the oldest still has D minus its age to wait, while more join;
- N >= B: B leave at once, N - B stay.

During the batch's service S(K) (from the curve), Poisson(lambda S(K)) requests arrive: that is the
next N. The chain's stationary law and the spans are solved together (a few fixed-point rounds).
A request's latency is its wait plus S(K); the waiting requests' ages are spread evenly over the
span, taken at its mean minus and plus 0.7 standard deviations. The latency law is a mixture of
uniform pieces whose percentiles come from bisection. The tests hold p50 and p95 within 10% of
the simulation over a grid of loads up to 70% of a replica's capacity and of configs.
"""

from __future__ import annotations

import math

import numpy as np

from .simulation import BatcherConfig, LatencyResult

FILL_POINTS = 6  # quantiles of the (conditional) time to fill a batch
FILL_GRID = 257  # points the fill time's distribution is tabulated at
TAIL = 1e-12
SPAN_ROUNDS = 3  # fixed-point rounds between the chain and the spans it implies
SPREAD = 0.7  # share of the spans' standard deviation kept in the two-point mixture
POWER_ROUNDS = 400
_LOG_FACTORIAL = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, 40_001)))])


def _poisson(mu: float, size: int) -> np.ndarray:
    """pmf of Poisson(mu) at 0..size-1, the mass beyond folded into the last entry."""
    out = np.zeros(size)
    if mu <= 0:
        out[0] = 1.0
        return out
    k = np.arange(size)
    out = np.exp(k * math.log(mu) - mu - _LOG_FACTORIAL[:size])
    out[-1] += max(0.0, 1.0 - out.sum())
    return out


class _FillTimes:
    """Erlang laws of the time `needed` more Poisson arrivals take, tabulated once per chain on
    a grid over [0, delay]: P(within t) = P(Poisson(rate t) >= needed)."""

    def __init__(self, rate: float, most: int, delay: float):
        self.grid = np.linspace(0.0, delay, FILL_GRID)
        mu = np.maximum(self.grid * rate, 1e-300)[:, None]
        k = np.arange(max(most, 1))
        pmf = np.exp(k * np.log(mu) - mu - _LOG_FACTORIAL[: len(k)])
        self.cdf = np.where(self.grid[:, None] > 0, 1.0 - np.cumsum(pmf, axis=1), 0.0)

    def __call__(self, needed: int, limit: float) -> tuple[float, np.ndarray]:
        """P(`needed` more arrivals within `limit`) and quantiles of that time given it happens."""
        if needed <= 0:
            return 1.0, np.zeros(1)
        if limit <= 0:
            return 0.0, np.zeros(0)
        values = self.cdf[:, needed - 1]
        p = float(np.interp(limit, self.grid, values))
        if p < TAIL:
            return 0.0, np.zeros(0)
        targets = (np.arange(FILL_POINTS) + 0.5) / FILL_POINTS * p
        return p, np.interp(targets, values, self.grid)


class _Chain:
    """The batcher's chain for one (rate, config, service table)."""

    def __init__(self, rate: float, config: BatcherConfig, service_s: np.ndarray):
        self.rate, self.b = rate, config.max_batch_size
        self.delay = config.max_queue_delay_ms / 1000
        self.s = service_s[: self.b + 1]
        self.fill = _FillTimes(rate, self.b, self.delay)
        mu_b = rate * self.s[self.b]
        self.top = self.b + int(math.ceil(mu_b + 10 * math.sqrt(mu_b + 1) + 20))
        size = self.top + 1
        # arrivals[K, N']: Poisson(rate S(K)) arrivals during a batch of K
        self.arrivals = np.vstack([np.zeros(size)] + [_poisson(rate * x, size) for x in self.s[1:]])
        leftover = np.arange(self.b, size) - self.b  # N >= B rows: B leave, N - B stay
        self.high = np.zeros((len(leftover), size))
        for i, left in enumerate(leftover):
            self.high[i, left:] = self.arrivals[self.b, : size - left]
            self.high[i, -1] += max(0.0, 1.0 - self.high[i].sum())

    def low_outcomes(self, spans: np.ndarray, state: np.ndarray | None, before: np.ndarray | None):
        """Per N < B: batch-size law (row over K) and the outcomes that make it. Rows the last
        round found (practically) never visited keep their previous law."""
        b, rate = self.b, self.rate
        law = np.zeros((b, b + 1)) if before is None else before.copy()
        outcomes = []  # (n, prob, k, wait, filled)
        for n in range(b):
            if state is not None and state[n] < TAIL:
                continue
            law[n] = 0.0
            waiting = max(n, 1)
            remaining = self.delay if n == 0 else max(0.0, self.delay - spans[n] * n / (n + 1))
            needed = b - waiting
            p_fill, fills = self.fill(needed, remaining)
            for t in fills:
                outcomes.append((n, p_fill / len(fills), b, float(t), True))
            law[n, b] += p_fill
            if p_fill < 1.0 and needed > 0:
                extra = _poisson(rate * remaining, needed + 1)[:needed]
                ks = waiting + np.arange(needed)
                law[n, ks] += extra
                for j in np.flatnonzero(extra > TAIL):
                    outcomes.append((n, float(extra[j]), int(ks[j]), remaining, False))
        return law, outcomes

    def solve(self):
        """Stationary law, batch-size law per N < B, outcomes, span mean and spread."""
        spans = np.arange(self.top + 1) / self.rate
        spread = np.zeros(self.top + 1)
        state = law = None
        for _ in range(SPAN_ROUNDS):
            law, outcomes = self.low_outcomes(spans, state, law)
            transition = np.vstack([law @ self.arrivals, self.high])
            transition /= transition.sum(axis=1, keepdims=True)
            state = _stationary(transition, state)
            spans, spread = self._spans(law, state, spans)
        return state, law, outcomes, spans, spread

    def _spans(self, law: np.ndarray, state: np.ndarray, spans: np.ndarray):
        """Mean and spread of the span the requests waiting at each N arrived over."""
        b, n = self.b, np.arange(self.b, self.top + 1)
        low = state[:b, None] * law  # [N, K] mass of batches of K from N < B
        mass = low.sum(axis=0) @ self.arrivals
        first = (low * self.s).sum(axis=0) @ self.arrivals
        second = (low * self.s**2).sum(axis=0) @ self.arrivals
        left_age = spans[b:] * (n - b) / n
        span_high = self.s[b] + left_age
        weights = state[b:, None] * self.high
        mass += weights.sum(axis=0)
        first += (weights * span_high[:, None]).sum(axis=0)
        second += (weights * span_high[:, None] ** 2).sum(axis=0)
        default = np.arange(self.top + 1) / self.rate
        mean = np.divide(first, mass, out=default, where=mass > TAIL)
        var = np.divide(second, mass, out=mean**2, where=mass > TAIL) - mean**2
        return mean, np.sqrt(np.maximum(var, 0.0))


def _stationary(transition: np.ndarray, start: np.ndarray | None) -> np.ndarray:
    """Power iteration from the last round's law (cheap, and LAPACK's threads crawl on a busy
    machine); a linear solve when it converges slowly (near saturation)."""
    state = np.full(len(transition), 1.0 / len(transition)) if start is None else start
    for _ in range(POWER_ROUNDS):
        following = state @ transition
        if np.abs(following - state).sum() < 1e-12:
            return following / following.sum()
        state = following
    system = transition.T - np.eye(len(transition))
    system[-1] = 1.0
    rhs = np.zeros(len(transition))
    rhs[-1] = 1.0
    state = np.clip(np.linalg.solve(system, rhs), 0.0, None)
    return state / state.sum()


def _pieces(chain: _Chain, state, outcomes, spans, spread):
    """Uniform latency pieces (low, high, weight) over every batch outcome."""
    s, b = chain.s, chain.b
    lows, highs, weights = [], [], []

    def old(n: int, w: float, lo: float, hi: float, shift: float) -> None:
        # The waiting requests' span varies from batch to batch: mean -/+ SPREAD x deviation.
        scale = max(spans[n] - SPREAD * spread[n], 0.0) / spans[n] if spans[n] > 0 else 1.0
        for factor in (scale, 2.0 - scale):
            lows.append(lo * factor + shift)
            highs.append(hi * factor + shift)
            weights.append(w / 2)

    for n, p, k, wait, filled in outcomes:
        w = state[n] * p
        if w < TAIL:
            continue
        waiting = max(n, 1)
        last = 1 if filled and k > waiting else 0  # the request that filled the batch
        if n == 0:
            lows.append(wait + s[k])
            highs.append(wait + s[k])
            weights.append(w)
        else:
            old(n, w * n, 0.0, spans[n], wait + s[k])
        lows += [s[k], s[k]]
        highs += [wait + s[k], s[k]]
        weights += [w * (k - waiting - last), w * last]
    for n in range(b, chain.top + 1):
        w = state[n]
        if w >= TAIL:
            old(n, w * b, spans[n] * (n - b) / n, spans[n], s[b])
    return np.array(lows), np.array(highs), np.array(weights)


def analytic_latency(
    rate: float, config: BatcherConfig, service_s: np.ndarray, overhead_ms: float = 0.0
) -> LatencyResult | None:
    """Latency percentiles at `rate` requests/s on one instance; None when it cannot keep up."""
    b = config.max_batch_size
    if rate <= 0 or rate * service_s[b] >= b:
        return None
    chain = _Chain(rate, config, service_s)
    state, law, outcomes, spans, spread = chain.solve()
    if state[-b // 2 - 1 :].sum() > 1e-4:  # mass piling at the truncation: not stable enough
        return None
    lo, hi, wt = _pieces(chain, state, outcomes, spans, spread)
    requests = wt.sum()
    wt = wt / requests
    width = np.maximum(hi - lo, 1e-12)

    def quantile(q: float) -> float:
        a, z = float(lo.min()), float(hi.max())
        for _ in range(50):
            m = (a + z) / 2
            below = float((wt * np.clip((m - lo) / width, 0.0, 1.0)).sum()) < q
            a, z = (m, z) if below else (a, m)
        return (a + z) / 2 * 1000 + overhead_ms

    batches = state[:b] @ law  # [K] over N < B, plus B from N >= B
    batches[b] += state[b:].sum()
    dispatched = float(batches @ np.arange(b + 1))
    return LatencyResult(
        p50_ms=quantile(0.50),
        p95_ms=quantile(0.95),
        p99_ms=quantile(0.99),
        mean_batch=dispatched / float(batches.sum()),
        utilization=rate * float(batches @ chain.s) / dispatched,
        requests=0,
    )
