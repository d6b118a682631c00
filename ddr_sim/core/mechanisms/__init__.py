"""The twelve mechanisms of the domain brief (DOMAIN.md section 4), one module each.

| # | mechanism | module |
|---|-----------|--------|
| 1 | politics gates DDR | ``politics_gate`` |
| 2 | trust is the bottleneck | ``trust`` |
| 3 | interim measures harden | ``interim_hardening`` |
| 4 | paid delay | ``paid_delay`` |
| 5 | outside options | ``outside_options`` |
| 6 | cantonment is contested | ``cantonment`` |
| 7 | pressure can restart a stalled process, partially | ``pressure`` |
| 8 | civilian reinsertion needs a credible package | ``reinsertion`` |
| 9 | lists inflate | ``list_inflation`` |
| 10 | CVR buys time | ``cvr`` |
| 11 | shocks | ``shocks`` |
| 12 | reversal | ``reversal`` |

The person-level monthly choice that combines them is in ``ddr_sim.core.choice``.

A mechanism takes the values and state it reads (plain values, arrays, the programme
state and the protocols of ``ddr_sim.core.state``), never the model: the model and its
agents call it with those pieces, and a test can call it with them alone. A function that
moves people in the month names the parts of the run it reads and changes in a protocol of
its own module (``shocks.ShockParts``, ``pressure.IntakeParts``, ...), which the model
satisfies.
"""
