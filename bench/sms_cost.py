"""SMS cost: segments per reply for every language and every recorded or built response.

Replies are built from the fixtures in tests/fixtures through the real clients
(over httpx.MockTransport, as the segment-budget test does), then counted with
`phoneline.sms_segments`. Twilio bills per segment.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from dataclasses import dataclass

from phoneline.catalog import Content, load_content
from phoneline.flows.area import area_text
from phoneline.flows.employer import employer_text
from phoneline.flows.replies import Writer
from phoneline.flows.vehicle import vehicle_reply
from phoneline.lookups.plates import parse_plate
from phoneline.sms_segments import count_segments
from tests.test_segment_budget import areas, companies, municipality_areas, vehicle_reports


@dataclass(frozen=True)
class LanguageCost:
    """Segment counts of every reply in one language."""

    lang: str
    encoding: str
    replies: int
    mean: float
    maximum: int


def measure(content: Content | None = None) -> list[LanguageCost]:
    # Some fixtures are failures on purpose; their "left out of the reply" warnings are expected.
    logging.getLogger("phoneline").setLevel(logging.ERROR)
    content = content or load_content()
    reports = list(vehicle_reports())
    checks = list(companies())
    facts = list(areas()) + list(municipality_areas())
    today = dt.date.today()

    costs = []
    for code, catalog in content.catalogs.items():
        writer = Writer.for_catalog(catalog)
        texts = []
        for _, report in reports:
            plate = parse_plate(report.vehicle.plate)
            assert plate is not None
            texts.append(vehicle_reply(writer, report, plate, today))
        texts += [employer_text(writer, check) for _, check in checks]
        texts += [area_text(writer, area) for _, area in facts]

        counts = [count_segments(text) for text in texts]
        encodings = {count.encoding for count in counts}
        costs.append(
            LanguageCost(
                lang=code,
                encoding="/".join(sorted(encodings)),
                replies=len(counts),
                mean=statistics.mean(count.segments for count in counts),
                maximum=max(count.segments for count in counts),
            )
        )
    return costs


def render(costs: list[LanguageCost]) -> list[str]:
    everything = [cost.mean for cost in costs]
    ucs2 = [cost for cost in costs if "UCS-2" in cost.encoding]
    worst_ucs2 = max((cost.maximum for cost in ucs2), default=0)
    lines = [
        "| language | encoding | replies | mean segments | max segments |",
        "|---|---|---|---|---|",
        *(
            f"| {cost.lang} | {cost.encoding} | {cost.replies} | {cost.mean:.2f} | {cost.maximum} |"
            for cost in costs
        ),
        "",
        f"Mean over all languages: {statistics.mean(everything):.2f} segments per reply. "
        f"Largest UCS-2 reply: {worst_ucs2} segments (target: at most 3).",
    ]
    return lines
