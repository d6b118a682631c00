"""Words shared by the indicator texts, the console and the figures."""

from __future__ import annotations

#: How the indicator texts say "defection".
DEFECTION = "rejoined their group (defection)"

#: Flow -> (short label, what the people did, after "People who").
FLOW_WORDS: dict[str, tuple[str, str]] = {
    "pre_cantoned": ("entered pre-cantonment", "entered pre-cantonment (informal assembly areas)"),
    "cantoned": ("entered formal cantonment", "entered formal cantonment"),
    "moc_assigned": ("assigned to MOC patrols", "were assigned to MOC mixed patrols"),
    "registered": ("registered for DDR", "registered for DDR"),
    "declared_unfit": ("declared medically unfit", "were declared medically unfit"),
    "integrated": ("integrated into the army", "were integrated into the army"),
    "reinserted": ("completed civilian reinsertion", "completed civilian reinsertion"),
    "rejoined": (DEFECTION, DEFECTION),
}
#: Status -> what holding it means, for titles and the codebook.
STATUS_WORDS: dict[str, str] = {
    "active": "with their group (active)",
    "mining": "gold mining, still in the group",
    "pre_cantoned": "in pre-cantonment",
    "cantoned": "in formal cantonment",
    "moc": "in MOC patrols",
    "training": "in training before integration",
    "integrated": "serving in the army",
    "reinserted": "reinserted as civilians",
    "unfit_waiting": "declared unfit, waiting",
    "rejoined": "rejoined their group (defection)",
    "killed": "killed (cumulative)",
}
STEP_WORDS: dict[str, str] = {
    "pre_cantonment": "someone entered pre-cantonment",
    "cantonment": "someone entered formal cantonment",
    "registration": "someone registered for DDR",
    "integration": "someone was integrated into the army",
    "reinsertion": "someone completed civilian reinsertion",
}

STALL_CLOCK = (
    "The stall clock starts in the first month an exit programme is open (accelerated "
    "DDR launched, general integration open, reinsertion open, the militia programme "
    "open) or DDR falls due under the agreement (politics.ddr_calendar_months after the "
    "first signatory signs), whichever is earlier, and runs to the end."
)
STALL_MONTH = (
    "A stall month is a month on the stall clock with zero or negative net flow of "
    "signatory-group members into integrated + reinserted."
)
