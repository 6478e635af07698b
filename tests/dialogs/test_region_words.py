"""Every region reads its own words for its groups: Västmanland's "grupp" and "sammankallande", Sjuhärad's
"nätverk" and "nätverksledare", never Västerbotten's "ämneslag"."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dialogs.i18n import Translator, Wording, wording
from dialogs.reminders import reminder_replies
from dialogs.types import ChoicesReply
from domain.reminders import Rule
from storage.framework import frameworks

SV = Translator("sv")

# (a message as the code says it, the region's word that must appear in it)
SAMPLES: list[tuple[Callable[[Wording], str], Callable[[Wording], str]]] = [
    (lambda w: SV._("Choose {group}", group=w.group), lambda w: w.group),
    (lambda w: SV._("{the_group}'s meetings", the_group=w.start(w.the_group)), lambda w: w.start(w.the_group)),
    (lambda w: SV._("Absence in {my_group}", my_group=w.my_group.lower()), lambda w: w.group),
    (lambda w: SV._("No {group}", group=w.group), lambda w: w.group),
    (lambda w: SV._("{which_group}?", which_group=w.which_group), lambda w: w.which_group),
    (
        lambda w: SV._(
            "Only {leader}s can do that, and you lead {no_group} this school year or the next.",
            leader=w.leader,
            no_group=w.no_group,
        ),
        lambda w: w.leader,
    ),
    (
        lambda w: SV._(
            "Only {leader}s log notes, and you lead {no_group} this school year or the next.",
            leader=w.leader,
            no_group=w.no_group,
        ),
        lambda w: w.no_group,
    ),
    (
        lambda w: SV._("{your_group} has no meetings planned.", your_group=w.start(w.your_group)),
        lambda w: w.start(w.your_group),
    ),
    (
        lambda w: SV._("{your_group} has no upcoming meetings.", your_group=w.start(w.your_group)),
        lambda w: w.start(w.your_group),
    ),
    (
        lambda w: SV._("Every upcoming meeting of {your_group} has had its notice sent.", your_group=w.your_group),
        lambda w: w.your_group,
    ),
    (
        lambda w: SV._("You can only report absence from the meetings of {your_group}.", your_group=w.your_group),
        lambda w: w.your_group,
    ),
    (
        lambda w: SV._(
            "New network day: {date}. Schedule {the_group}'s meeting when you are ready.",
            date="torsdag 18 september",
            the_group=w.the_group,
        ),
        lambda w: w.the_group,
    ),
]

EXPECTED = {
    "vasterbotten": ("ämneslag", "ämneslaget", "Ditt ämneslag har inga planerade träffar."),
    "vastmanland": ("grupp", "gruppen", "Din grupp har inga planerade träffar."),
    "sjuharad": ("nätverk", "nätverket", "Ditt nätverk har inga planerade träffar."),
}


@pytest.mark.parametrize("region", sorted(EXPECTED))
@pytest.mark.parametrize("sample", range(len(SAMPLES)))
def test_a_message_about_groups_reads_in_the_regions_words(region: str, sample: int) -> None:
    words = wording(frameworks()[region].words, "sv")
    render, word = SAMPLES[sample]
    text = render(words)
    assert word(words) in text
    if region != "vasterbotten":
        assert "ämneslag" not in text.lower()


@pytest.mark.parametrize("region", sorted(EXPECTED))
def test_the_words_agree_with_the_region(region: str) -> None:
    words = wording(frameworks()[region].words, "sv")
    group, definite, sentence = EXPECTED[region]
    assert (words.group, words.the_group) == (group, definite)
    assert SV._("{your_group} has no meetings planned.", your_group=words.start(words.your_group)) == sentence


@pytest.mark.parametrize("region", ["vastmanland", "sjuharad"])
def test_the_team_choice_reminder_reads_in_the_regions_words(region: str) -> None:
    words = frameworks()[region].words
    (reply,) = reminder_replies(SV, words, Rule.TEAM_CHOICE, {"year": "2026/27"})
    assert isinstance(reply, ChoicesReply)
    said = reply.text + " " + " ".join(b.label for b in reply.buttons)
    assert words.group in said and "ämneslag" not in said.lower()
