"""Reading effbench run documents in the bench scripts."""


def counted_energy(case, key="joules"):
    """The case's measured and estimated totals of `key` ("joules" or
    "joules_per_sample") over the readings that count, as effbench adds them
    (src/results/record.cpp): available, gross, not below resolution, not a
    cross-check or a repeat of another rank's sensor, not psys."""
    keep = [r for r in case.get("energy", []) if r.get("available") and r.get("basis", "gross") == "gross"
            and not r.get("below_resolution") and not r.get("cross_check") and r.get("scope") != "psys"]
    measured = sum(r[key] for r in keep if r.get("measured"))
    estimated = sum(r[key] for r in keep if not r.get("measured"))
    return measured, estimated


def energy_text(case, key="joules", fmt="{:.0f}", measured_tag=" J measured", estimated_tag=" J estimated"):
    """One label for the counted energy: measured when any sensor counted, else the estimate, else "-"."""
    measured, estimated = counted_energy(case, key)
    if measured > 0:
        return fmt.format(measured) + measured_tag
    if estimated > 0:
        return fmt.format(estimated) + estimated_tag
    return "-"
