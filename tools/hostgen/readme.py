"""The README.md next to each test host's root: hardware, state, expected verdict, devices, data credits."""

import os


CREDIT = """
## Data credits

"""


def credit_lines(h):
    """Where the host's ACPI tables come from (linuxhw/ACPI via corpus/), if anywhere."""
    out = []
    for name, src in h.acpi_credit:
        out.append("- `sys/firmware/acpi/tables/%s`: %s`%s` from linuxhw/ACPI "
                   "(https://github.com/linuxhw/ACPI, CC-BY-4.0), via `corpus/%s`."
                   % (name, "derived from " if name == "XMAR" else "exact bytes of ",
                      os.path.basename(src), src))
    if not out:
        out.append("- No third-party data: every file was written by `tools/mkhosts.py`.")
    return "\n".join(out) + "\n"


def groups_table(h):
    """The devices with their ids, driver and IOMMU group, as a Markdown table."""
    rows = ["| device | ids | driver | IOMMU group |", "| --- | --- | --- | --- |"]
    for d in h.devs:
        rows.append("| %s | %04x:%04x | %s | %s |" % (
            d.bdf, d.vendor, d.device, d.driver or "-", "-" if d.group is None else d.group))
    return "\n".join(rows) + "\n"


def finish_readme(h, title, state, expect):
    """h.readme from its hardware text (h.hw_text), the state the tree shows and the
    verdict expected on it."""
    h.readme = "# %s\n\n%s\n## State\n\n%s\n## Expected verdict\n\n%s\n## Devices\n\n%s%s%s" % (
        title, h.hw_text, state, expect, groups_table(h), CREDIT, credit_lines(h))
