"""The packer's working state: members as arrays, groups with their running sums, and the moves.

`Fitter.fits` answers what `sharing.check` answers for a group plus one member, but from the
group's running sums (summed busy and occupancy series, memory, CPU) instead of from scratch, and
settles most candidates from bounds alone: the percentile of a sum is at most the group's
percentile plus the member's maximum, and at least the group's percentile plus the member's
minimum. Only the undecided ones are computed, several groups at once. Sums are added in the
order `check` adds them, with the same percentile formula, so both agree exactly.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import numpy as np

from optimizers.catalog import InstanceSpec
from optimizers.rightsizing.latency import p95_latency_ms_array
from optimizers.rightsizing.sharing import Member, ShareRules, pod_room
from optimizers.rightsizing.stats import percentile_rows

EPS = 1e-9  # bounds decide only clear cases; a tie is computed exactly
CHUNK = 64  # undecided groups computed together
SWAP_TRIALS = 24  # (group, member) pairs tried per swap


class _Abort(Exception):
    pass


class Fitter:
    def __init__(self, members: list[Member], host: InstanceSpec, rules: ShareRules) -> None:
        self.members, self.host, self.rules = members, host, rules
        self.room_cpu, self.room_mem = pod_room(host)  # what the node leaves to pods
        self.n = len(members)
        self.h = rules.policy.headroom()
        self.hm = rules.policy.memory_headroom()
        self.q = rules.policy.busy_percentile
        self.ids = [m.resource_id for m in members]
        self.mem = np.array([m.gpu_mem_gib for m in members], dtype=np.float64)
        cpu = [m.cpu_vcpus for m in members]
        self.cpu = np.array([c or 0.0 for c in cpu], dtype=np.float64)
        # Unmeasured host CPU and memory count as 0 in the sums, as in `check`.
        hmem = [m.mem_gib for m in members]
        self.hmem = np.array([g or 0.0 for g in hmem], dtype=np.float64)
        self.busy = np.stack([m.busy_row for m in members]).astype(np.float64)
        self.occ = np.stack([m.occupancy_row for m in members]).astype(np.float64)
        self.busy_p = percentile_rows(self.busy, self.q)
        self.busy_max, self.busy_min = self.busy.max(axis=1), self.busy.min(axis=1)
        self.occ_p = percentile_rows(self.occ, self.q)
        self.occ_max, self.occ_min = self.occ.max(axis=1), self.occ.min(axis=1)
        self.latency = rules.latency_target_ms is not None and rules.service_ms is not None
        self.reset()

    # --- group state ----------------------------------------------------------------------

    def reset(self) -> None:
        n = self.n
        self._lists: list[list[int]] = []
        self.active = np.zeros(n, dtype=bool)
        self.count = np.zeros(n, dtype=np.int64)
        self.gmem, self.gcpu, self.ghmem = np.zeros(n), np.zeros(n), np.zeros(n)
        self.gp_busy, self.gmin_busy = np.zeros(n), np.zeros(n)
        self.gp_occ, self.gmin_occ = np.zeros(n), np.zeros(n)
        self.sbusy: list[np.ndarray | None] = [None] * n
        self.socc: list[np.ndarray | None] = [None] * n

    def open(self) -> int:
        g = len(self._lists)
        self._lists.append([])
        self.active[g] = True
        return g

    def members_of(self, g: int) -> list[int]:
        return self._lists[g]

    def open_ids(self) -> list[int]:
        return [g for g in range(len(self._lists)) if self.active[g] and self._lists[g]]

    def groups(self) -> list[list[int]]:
        return [list(self._lists[g]) for g in self.open_ids()]

    def load(self, groups: Iterable[list[int]]) -> None:
        self.reset()
        for members in groups:
            g = self.open()
            for i in members:
                self.add(g, i)

    def emptiness(self, g: int) -> tuple:
        return (self.count[g], self.gmem[g], self.gp_busy[g])

    def add(self, g: int, i: int) -> None:
        self._lists[g].append(i)
        self._set(g, self._lists[g])

    def _set(self, g: int, members: list[int]) -> None:
        """The group's sums from scratch, in its members' order (check's order)."""
        self._lists[g] = members
        self.count[g] = len(members)
        if not members:
            self.sbusy[g] = self.socc[g] = None
            self.gmem[g] = self.gcpu[g] = self.ghmem[g] = 0.0
            return
        mem = cpu = hmem = 0.0
        busy = occ = None
        for i in members:
            mem += self.mem[i]
            hmem += self.hmem[i]
            cpu += self.cpu[i]
            busy = self.busy[i].copy() if busy is None else busy + self.busy[i]
            occ = self.occ[i].copy() if occ is None else occ + self.occ[i]
        self.gmem[g], self.gcpu[g], self.ghmem[g] = mem, cpu, hmem
        self.sbusy[g], self.socc[g] = busy, occ
        self.gp_busy[g] = percentile_rows(busy, self.q)[0]
        self.gp_occ[g] = percentile_rows(occ, self.q)[0]
        self.gmin_busy[g], self.gmin_occ[g] = busy.min(), occ.min()

    # --- does a member fit a group? -------------------------------------------------------

    def _scalars_fit(self, cand: np.ndarray, i: int) -> np.ndarray:
        h, host = self.h, self.host
        cpu = self.gcpu[cand] + self.cpu[i]
        return (
            (self.count[cand] + 1 <= self.rules.max_members)
            & ((self.gmem[cand] + self.mem[i]) * self.hm <= host.gpu_memory_gib_each)
            & (cpu * h <= self.room_cpu)
            & (self.ghmem[cand] + self.hmem[i] <= self.room_mem)
        )

    def _latency_ok(self, rho: np.ndarray, members: np.ndarray, slack: float = 0.0) -> np.ndarray:
        target = self.rules.latency_target_ms * (1 + slack)  # type: ignore[operator]
        return p95_latency_ms_array(rho, self.rules.service_ms, members) <= target  # type: ignore[arg-type]

    def _bounds(self, cand: np.ndarray, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(surely fits, surely does not) on the busy and latency rules, from bounds alone."""
        h = self.h
        hi = (self.gp_busy[cand] + self.busy_max[i]) * h
        lo = (
            np.maximum(self.gp_busy[cand] + self.busy_min[i], self.busy_p[i] + self.gmin_busy[cand])
            * h
        )
        sure, never = hi <= 100 - EPS, lo > 100 + EPS
        if self.latency:  # the latency model grows with the summed occupancy
            members = self.count[cand] + 1
            rho_hi = (self.gp_occ[cand] + self.occ_max[i]) / 100
            rho_lo = (
                np.maximum(self.gp_occ[cand] + self.occ_min[i], self.occ_p[i] + self.gmin_occ[cand])
                / 100
            )
            never |= ~self._latency_ok(rho_lo, members, EPS)
            sure &= self._latency_ok(rho_hi, members, -EPS)
        return sure & ~never, never

    def _exact(self, cand: np.ndarray, i: int) -> np.ndarray:
        busy = np.stack([self.sbusy[g] for g in cand]) + self.busy[i]  # type: ignore[misc]
        ok = percentile_rows(busy, self.q) * self.h <= 100
        if self.latency:
            occ = np.stack([self.socc[g] for g in cand]) + self.occ[i]  # type: ignore[misc]
            rho = percentile_rows(occ, self.q) / 100
            ok &= self._latency_ok(rho, self.count[cand] + 1)
        return ok

    def first_fit(self, i: int, exclude: Iterable[int] = ()) -> int | None:
        """The first open group (in opening order) that member i fits, or None."""
        ids = np.flatnonzero(self.active[: len(self._lists)] & (self.count[: len(self._lists)] > 0))
        if exclude:
            ids = ids[~np.isin(ids, list(exclude))]
        cand = ids[self._scalars_fit(ids, i)] if len(ids) else ids
        if not len(cand):
            return None
        sure, never = self._bounds(cand, i)
        first_sure = int(np.argmax(sure)) if sure.any() else len(cand)
        undecided = np.flatnonzero(~sure[:first_sure] & ~never[:first_sure])
        for lo in range(0, len(undecided), CHUNK):
            chunk = cand[undecided[lo : lo + CHUNK]]
            ok = self._exact(chunk, i)
            if ok.any():
                return int(chunk[int(np.argmax(ok))])
        return int(cand[first_sure]) if first_sure < len(cand) else None

    def fits_list(self, members: list[int]) -> bool:
        """The whole of `check` for these members, from scratch."""
        if len(members) > self.rules.max_members:
            return False
        mem = cpu = hmem = 0.0
        for i in members:
            mem += self.mem[i]
            hmem += self.hmem[i]
            cpu += self.cpu[i]
        host = self.host
        if mem * self.hm > host.gpu_memory_gib_each or cpu * self.h > self.room_cpu:
            return False
        if hmem > self.room_mem:
            return False
        busy = self.busy[members[0]].copy()
        for i in members[1:]:
            busy = busy + self.busy[i]
        if percentile_rows(busy, self.q)[0] * self.h > 100:
            return False
        if self.latency:
            occ = self.occ[members[0]].copy()
            for i in members[1:]:
                occ = occ + self.occ[i]
            rho = percentile_rows(occ, self.q) / 100
            return bool(self._latency_ok(rho, np.array([len(members)]))[0])
        return True

    # --- local search moves ---------------------------------------------------------------

    def dissolve(self, g: int, deadline: float) -> bool:
        """Move every member of group g into other groups (directly, or by swapping one of
        theirs out to a third); all or nothing."""
        saved: dict[int, list[int]] = {}
        self.active[g] = False
        for i in sorted(self._lists[g], key=lambda i: (-self.mem[i], -self.busy_p[i])):
            target = self.first_fit(i, exclude=(g,))
            if target is not None:
                saved.setdefault(target, list(self._lists[target]))
                self.add(target, i)
                continue
            if time.monotonic() >= deadline or not self._swap_in(i, g, saved):
                for k, members in saved.items():
                    self._set(k, members)
                self.active[g] = True
                return False
        self._set(g, [])
        return True

    def _swap_in(self, i: int, g: int, saved: dict[int, list[int]]) -> bool:
        """Put i in a group h in place of a member j no larger, and j in a third group. Pairs
        whose memory, CPU and host memory allow the swap are tried, smallest j first (the
        easiest to place elsewhere), at most SWAP_TRIALS of them."""
        pairs = [(h, j) for h in self.open_ids() if h != g for j in self._lists[h]]
        if not pairs:
            return False
        hs = np.array([h for h, _ in pairs])
        js = np.array([j for _, j in pairs])
        # The swapped group's busy percentile lies within these bounds (pointwise shifts).
        hi = (self.gp_busy[hs] - self.busy_min[js] + self.busy_max[i]) * self.h
        lo = (self.gp_busy[hs] - self.busy_max[js] + self.busy_min[i]) * self.h
        ok = (
            (self.mem[js] <= self.mem[i])
            & (lo <= 100 + EPS)
            & (
                (self.gmem[hs] - self.mem[js] + self.mem[i]) * self.hm
                <= self.host.gpu_memory_gib_each
            )
            & ((self.gcpu[hs] - self.cpu[js] + self.cpu[i]) * self.h <= self.room_cpu)
            & (self.ghmem[hs] - self.hmem[js] + self.hmem[i] <= self.room_mem)
        )
        order = np.flatnonzero(ok)
        order = order[np.lexsort((self.mem[js[order]], hi[order] > 100 - EPS))][:SWAP_TRIALS]
        for k in order:  # those surely fitting on busy-ness first, then smallest j first
            h, j = int(hs[k]), int(js[k])
            swapped = [m for m in self._lists[h] if m != j] + [i]
            if not self.fits_list(swapped):
                continue
            third = self.first_fit(j, exclude=(g, h))
            if third is None:
                continue
            saved.setdefault(h, list(self._lists[h]))
            saved.setdefault(third, list(self._lists[third]))
            self._set(h, swapped)
            self.add(third, j)
            return True
        return False

    # --- the exact method's columns -------------------------------------------------------

    def fitting_subsets(self, limit: int, deadline: float) -> list[tuple[int, ...]] | None:
        """Every group that fits (singletons always: a member may stay alone), or None past
        `limit` groups or the deadline. Grows only fitting groups: check is monotone."""
        out: list[tuple[int, ...]] = [(i,) for i in range(self.n)]

        def grow(members: tuple[int, ...]) -> None:
            for j in range(members[-1] + 1, self.n):
                longer = (*members, j)
                if not self.fits_list(list(longer)):
                    continue
                out.append(longer)
                if len(out) > limit or time.monotonic() >= deadline:
                    raise _Abort
                if len(longer) < self.rules.max_members:
                    grow(longer)

        try:
            for i in range(self.n):
                if self.fits_list([i]):
                    grow((i,))
        except _Abort:
            return None
        return out
