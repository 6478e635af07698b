"""Every region reads its own words for its groups: Västmanland's "grupp" and "sammankallande", Sjuhärad's
"nätverk" and "nätverksledare", never Västerbotten's "ämneslag"."""

from __future__ import annotations

import datetime as dtm
from collections.abc import Callable

import pytest

from dialogs import nlu
from dialogs.i18n import Translator, Wording, wording
from dialogs.meanings import meaning
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


# Second round: a message as the code says it, and its whole Swedish sentence in each region (so a missing
# translation, an English id or a wrong form of the word fails); the regions in the order of REGIONS.
REGIONS = ("vasterbotten", "vastmanland", "sjuharad")
SENTENCES: list[tuple[Callable[[Wording], str], tuple[str, str, str]]] = [
    (
        lambda w: meaning(SV, w, "my_team"),
        ("se ditt ämneslag", "se din grupp", "se ditt nätverk"),
    ),
    (
        lambda w: meaning(SV, w, "appoint_leader"),
        ("utse en ämneslagsledare", "utse en sammankallande", "utse en nätverksledare"),
    ),
    (
        lambda w: meaning(SV, w, "agenda_all"),
        (
            "lägga en fråga på alla ämneslags nästa träff",
            "lägga en fråga på alla gruppers nästa träff",
            "lägga en fråga på alla nätverks nästa träff",
        ),
    ),
    (
        lambda w: meaning(SV, w, "people_without_team"),
        ("se vilka som saknar ämneslag", "se vilka som saknar grupp", "se vilka som saknar nätverk"),
    ),
    (
        lambda w: SV._("who has no {group}?", group=w.group),
        ("vilka saknar ämneslag?", "vilka saknar grupp?", "vilka saknar nätverk?"),
    ),
    (
        lambda w: SV._(
            "{these_groups} have no leader for {year} yet: {teams}.",
            these_groups=w.start(w.these_groups),
            year="2026/27",
            teams="Dans",
        ),
        (
            "De här ämneslagen har ännu ingen ledare för läsåret 2026/27: Dans.",
            "De här grupperna har ännu ingen ledare för läsåret 2026/27: Dans.",
            "De här nätverken har ännu ingen ledare för läsåret 2026/27: Dans.",
        ),
    ),
    (
        lambda w: SV._(
            "For information: {these_groups} have not sent the notice for {date}: {teams}.",
            these_groups=w.these_groups,
            date="torsdag 18 september",
            teams="Dans",
        ),
        (
            "För kännedom: de här ämneslagen har inte skickat kallelsen till torsdag 18 september: Dans.",
            "För kännedom: de här grupperna har inte skickat kallelsen till torsdag 18 september: Dans.",
            "För kännedom: de här nätverken har inte skickat kallelsen till torsdag 18 september: Dans.",
        ),
    ),
    (
        lambda w: SV._(
            "These schools have not reported their {groups} for {year}: {schools}.",
            groups=w.groups,
            year="2026/27",
            schools="Ålidhem",
        ),
        (
            "De här skolorna har inte rapporterat sina ämneslag för läsåret 2026/27: Ålidhem.",
            "De här skolorna har inte rapporterat sina grupper för läsåret 2026/27: Ålidhem.",
            "De här skolorna har inte rapporterat sina nätverk för läsåret 2026/27: Ålidhem.",
        ),
    ),
    (
        lambda w: SV._("Without a {group} ({count})", group=w.group, count=3),
        ("Utan ämneslag (3)", "Utan grupp (3)", "Utan nätverk (3)"),
    ),
    (
        lambda w: SV._("Every teacher is in {a_group} for {year}.", a_group=w.a_group, year="2026/27"),
        (
            "Alla lärare har ett ämneslag läsåret 2026/27.",
            "Alla lärare har en grupp läsåret 2026/27.",
            "Alla lärare har ett nätverk läsåret 2026/27.",
        ),
    ),
    (
        lambda w: SV._(
            "{date} is no longer a network day. {the_group}'s meeting that day is kept; "
            "move or cancel it if it should not take place.",
            date="torsdag 18 september",
            the_group=w.start(w.the_group),
        ),
        (
            "torsdag 18 september är inte längre en nätverksdag. Ämneslagets träff den dagen ligger kvar; "
            "flytta eller ställ in den om den inte ska bli av.",
            "torsdag 18 september är inte längre en nätverksdag. Gruppens träff den dagen ligger kvar; "
            "flytta eller ställ in den om den inte ska bli av.",
            "torsdag 18 september är inte längre en nätverksdag. Nätverkets träff den dagen ligger kvar; "
            "flytta eller ställ in den om den inte ska bli av.",
        ),
    ),
    (
        lambda w: SV._(
            "{the_group} has two leaders already, so the new one replaces one of them.",
            the_group=w.start(w.the_group),
        ),
        (
            "Ämneslaget har redan två ledare, så den nya ersätter en av dem.",
            "Gruppen har redan två ledare, så den nya ersätter en av dem.",
            "Nätverket har redan två ledare, så den nya ersätter en av dem.",
        ),
    ),
    (
        lambda w: SV._(
            "{team} already has two leaders for {year}; {a_group} has at most two. Choose whom to replace.",
            team="Dans",
            year="2026/27",
            a_group=w.a_group,
        ),
        (
            "Dans har redan två ledare läsåret 2026/27, och ett ämneslag kan ha högst två. Välj vem som ska ersättas.",
            "Dans har redan två ledare läsåret 2026/27, och en grupp kan ha högst två. Välj vem som ska ersättas.",
            "Dans har redan två ledare läsåret 2026/27, och ett nätverk kan ha högst två. Välj vem som ska ersättas.",
        ),
    ),
    (
        lambda w: SV._(
            "{which_group} do you want to be in for the school year {year}?",
            which_group=w.which_group,
            year="2026/27",
        ),
        (
            "Vilket ämneslag vill du vara med i läsåret 2026/27?",
            "Vilken grupp vill du vara med i läsåret 2026/27?",
            "Vilket nätverk vill du vara med i läsåret 2026/27?",
        ),
    ),
    (
        lambda w: SV._(
            "Whom do you want to move to {another_group} in {year}?", another_group=w.another_group, year="2026/27"
        ),
        (
            "Vem vill du flytta till ett annat ämneslag läsåret 2026/27?",
            "Vem vill du flytta till en annan grupp läsåret 2026/27?",
            "Vem vill du flytta till ett annat nätverk läsåret 2026/27?",
        ),
    ),
    (
        lambda w: SV._("To {which_group} should {name} move?", which_group=w.which_group.lower(), name="Eva"),
        (
            "Till vilket ämneslag ska Eva flytta?",
            "Till vilken grupp ska Eva flytta?",
            "Till vilket nätverk ska Eva flytta?",
        ),
    ),
    (
        lambda w: SV._(
            "Only {leader}s confirm who attended, and you lead {no_group} this year.",
            leader=w.leader,
            no_group=w.no_group,
        ),
        (
            "Bara ämneslagsledare bekräftar vilka som var med, och du leder inget ämneslag i år.",
            "Bara sammankallande bekräftar vilka som var med, och du leder ingen grupp i år.",
            "Bara nätverksledare bekräftar vilka som var med, och du leder inget nätverk i år.",
        ),
    ),
    (
        lambda w: SV._(
            "Only the host school's manager, {the_group}'s leaders and the coordinator see the invoice basis.",
            the_group=w.the_group,
        ),
        (
            "Bara värdskolans chef, ämneslagets ledare och samordnaren ser fakturaunderlaget.",
            "Bara värdskolans chef, gruppens ledare och samordnaren ser fakturaunderlaget.",
            "Bara värdskolans chef, nätverkets ledare och samordnaren ser fakturaunderlaget.",
        ),
    ),
    (
        lambda w: SV._("{that_group} no longer exists.", that_group=w.start(w.that_group)),
        ("Det ämneslaget finns inte längre.", "Den gruppen finns inte längre.", "Det nätverket finns inte längre."),
    ),
    (
        lambda w: SV._("Which question do you want on the next meeting of all {groups}?", groups=w.groups),
        (
            "Vilken fråga vill du ha med på alla ämneslags nästa träff?",
            "Vilken fråga vill du ha med på alla gruppers nästa träff?",
            "Vilken fråga vill du ha med på alla nätverks nästa träff?",
        ),
    ),
    (
        lambda w: SV._(
            "I can only report your own absence or choose {your_group}, so I have done nothing. They can "
            "write to me themselves, or tell their {leader}.",
            your_group=w.your_group,
            leader=w.leader,
        ),
        (
            "Jag kan bara anmäla din egen frånvaro eller välja ditt ämneslag, så jag har inte gjort något. "
            "Hen kan själv skriva till mig, eller säga till sin ämneslagsledare.",
            "Jag kan bara anmäla din egen frånvaro eller välja din grupp, så jag har inte gjort något. "
            "Hen kan själv skriva till mig, eller säga till sin sammankallande.",
            "Jag kan bara anmäla din egen frånvaro eller välja ditt nätverk, så jag har inte gjort något. "
            "Hen kan själv skriva till mig, eller säga till sin nätverksledare.",
        ),
    ),
    (
        lambda w: SV._(
            "Record version {version} of {title} for {year}{link}? {leaders} and the managers are told, and the "
            "year's first meetings link it.",
            version="2",
            title="Ramverket",
            year="2026/27",
            link="",
            leaders=w.start(w.leaders),
        ),
        (
            "Registrera version 2 av Ramverket för 2026/27? Ämneslagsledarna och cheferna får veta det, och läsårets "
            "första träffar länkar till den.",
            "Registrera version 2 av Ramverket för 2026/27? De sammankallande och cheferna får veta det, och läsårets "
            "första träffar länkar till den.",
            "Registrera version 2 av Ramverket för 2026/27? Nätverksledarna och cheferna får veta det, och läsårets "
            "första träffar länkar till den.",
        ),
    ),
]


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("sample", range(len(SENTENCES)))
def test_a_sentence_about_groups_reads_whole_in_the_regions_words(region: str, sample: int) -> None:
    render, sentences = SENTENCES[sample]
    text = render(wording(frameworks()[region].words, "sv"))
    assert text == sentences[REGIONS.index(region)]


@pytest.mark.parametrize(
    ("region", "sentence"),
    [
        (
            "vasterbotten",
            "Bekräfta ämneslagen för din personal för läsåret 2026/27 och rapportera dem till samordnaren senast "
            "måndag 1 juni. Utan ämneslag: 2. Inte bekräftade: 1.",
        ),
        (
            "vastmanland",
            "Bekräfta grupperna för din personal för läsåret 2026/27 och rapportera dem till samordnaren senast "
            "måndag 1 juni. Utan grupp: 2. Inte bekräftade: 1.",
        ),
        (
            "sjuharad",
            "Bekräfta nätverken för din personal för läsåret 2026/27 och rapportera dem till samordnaren senast "
            "måndag 1 juni. Utan nätverk: 2. Inte bekräftade: 1.",
        ),
    ],
)
def test_the_managers_report_reminder_reads_in_the_regions_words(region: str, sentence: str) -> None:
    context = {"year": "2026/27", "deadline": "2026-06-01", "without": 2, "unconfirmed": 1}
    (reply,) = reminder_replies(SV, frameworks()[region].words, Rule.MANAGER_REPORT, context)
    assert isinstance(reply, ChoicesReply)
    assert reply.text == sentence
    assert [b.label for b in reply.buttons][1] == "Rapportera " + frameworks()[region].words.groups


@pytest.mark.parametrize("text", ["vilka saknar grupp?", "Vilka saknar nätverk?", "vilka saknar ämneslag?"])
def test_the_coordinators_example_is_understood_in_each_regions_words(text: str) -> None:
    parsed = nlu.parse(text, today=dtm.date(2026, 3, 2), teams=["Dans", "Musik"])
    assert parsed.intent == "people_without_team"
