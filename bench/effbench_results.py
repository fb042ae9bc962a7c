"""Reading effbench run documents in the bench scripts."""


def counted_energy(case, key="joules"):
    """The case's measured and estimated totals of `key` ("joules" or
    "joules_per_sample") over the readings that count.

    Mirrors src/results/record.cpp, reading_counts() and counted_energy()
    (Note [Which energy counts] in src/results/record.h): a reading counts
    when it is available, gross, not below resolution, not a cross-check (a
    repeat of another reading or of another rank's sensor) and, for a
    measurement, not psys. The JSON does not carry the counted total, so the
    rule is restated here; change both together."""
    def counts(r):
        usable = (r.get("available") and r.get("basis", "gross") == "gross"
                  and not r.get("below_resolution") and not r.get("cross_check"))
        return usable and not (r.get("measured") and r.get("scope") == "psys")
    keep = [r for r in case.get("energy", []) if counts(r)]
    measured = sum(r[key] for r in keep if r.get("measured"))
    estimated = sum(r[key] for r in keep if not r.get("measured"))
    return measured, estimated


def energy_text(case, key="joules", fmt="{:.0f}", measured_tag=" J measured", estimated_tag=" J estimated"):
    """One label for the counted energy (record.cpp's counted_energy()): the
    measured total when above zero, else the estimated total, else "-"."""
    measured, estimated = counted_energy(case, key)
    if measured > 0:
        return fmt.format(measured) + measured_tag
    if estimated > 0:
        return fmt.format(estimated) + estimated_tag
    return "-"
