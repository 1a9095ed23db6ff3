"""Foreign keys that share columns, the shape of multi-tenant schemas: `(tenant_id, order_id)` and
`(tenant_id, product_id)` in one row, a composite self-reference `(tenant_id, parent_id)`. One
picker fills the shared column (the owner); each other picker then picks among the parents that
have the same value there, and the owner only picks parents for which every such match exists,
so each row satisfies every constraint."""

from __future__ import annotations

from devenv.seed.generate.references import GroupedJoint, ParentPicker, SelfPicker


def share_columns(pickers: list[ParentPicker], self_pickers: list[SelfPicker]) -> None:
    """Order `pickers` (per-parent first, then wider keys) and condition each one whose columns
    an earlier one fills already; a self-reference keeps the columns the row already has."""
    pickers.sort(key=lambda p: (p.mode != "per_parent", -len(p.fk.columns), p.fk.columns))
    owned: set[str] = set()
    for picker in pickers:
        shared = tuple(c for c in picker.fk.columns if c in owned)
        if shared:
            picker.condition(shared)
        owned |= set(picker.fk.columns)
    for self_picker in self_pickers:
        self_picker.given = tuple(c for c in self_picker.fk.columns if c in owned)


def dependents(owner: ParentPicker, pickers: list[ParentPicker]) -> list[ParentPicker]:
    """The conditioned pickers whose shared columns `owner` fills."""
    return [p for p in pickers if p.mode == "given" and p.given and set(p.given) <= set(owner.fk.columns)]


def restrict_owners(pickers: list[ParentPicker]) -> None:
    """With the parents' key values at hand: group each conditioned picker's parents by the
    shared values, and restrict each owner to parents whose values every dependent can match."""
    for picker in pickers:
        if picker.mode == "given":
            picker.groups = picker.group_parents(picker.given)
    for owner in pickers:
        if owner.mode == "given":
            continue
        followers = dependents(owner, pickers)
        if not followers:
            continue
        eligible: set[int] | None = None
        for follower in followers:
            rows = {row for values, rows in owner.group_parents(follower.given).items()
                    if values in follower.groups for row in rows}
            eligible = rows if eligible is None else eligible & rows
        owner.restrict(sorted(eligible or ()))


def grouped_joint(owner: ParentPicker, followers: list[ParentPicker], key: object) -> GroupedJoint | None:
    """Distinct (owner parent, follower parents...) combinations that agree on the shared
    columns, or None when the followers do not share the same columns."""
    given = followers[0].given
    if any(f.given != given for f in followers):
        return None
    owner_groups = owner.group_parents(given)
    follower_groups = [f.group_parents(given) for f in followers]
    groups = [[owner_groups[values], *(g.get(values, []) for g in follower_groups)]
              for values in sorted(owner_groups, key=repr)]
    return GroupedJoint(groups, key)
