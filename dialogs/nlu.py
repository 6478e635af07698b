"""Language understanding by rules, Swedish and English, with a statistical classifier behind them.

`parse(text, today=…, teams=…, places=…)` gives an intent and the slots found in the text. Matching is
done on folded text (lower case, no diacritics), so "nasta traff" and "Nästa träff" are the same. Before
the intent rules, three readings that must never act are recognised: small talk ("tack", "hej", "ok", 👍),
how-to questions ("hur anmäler jag frånvaro?": help) and negations ("jag missar inte träffen": unknown);
after them, a request about someone else ("Stina kan inte komma 8 april") is unknown too. Only when the
rules find no intent is the classifier (`dialogs.classifier`, imported then and not before) asked. Team
names tolerate typos scaled to the word's length (rapidfuzz; one edit up to eight letters, two beyond,
the first letter kept, common look-alike words such as "stryk" or "gång" never), compounds
("pianoträffen", "gitarrlaget") and English subject words. A time range ("kl 13-16", "13.00–16.00", "från
9 till 12") is the slot `time` as "13:00-16:00"; "nästa träff" is the slot `meeting` = "next"; "alla" in a
confirmation is `scope` = "all". Help, small talk, cancel and unknown have no slots: nothing is acted on. Dates are ISO strings. A day and month without a year resolve by what the request is
about: forward (the first such day from `today` on) for what is being planned (`FORWARD`: network days,
meetings, a notice, reporting absence), and in the school year (1 July to 30 June) that contains `today`
for what has happened (attendance, a cost, notes, taking back an absence, the absences of a day).
"""

from __future__ import annotations

import datetime as dtm
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from dialogs.names import Intent
from storage.text import fold

INTENTS = tuple(Intent)  # every intent, as plain strings (StrEnum members)
FORWARD = frozenset(  # requests about what is being planned: a day and month without a year lie ahead
    {
        Intent.ADD_NETWORK_DAY,
        Intent.REMOVE_NETWORK_DAY,
        Intent.SCHEDULE_MEETING,
        Intent.CHANGE_MEETING,
        Intent.CANCEL_MEETING,
        Intent.SEND_NOTICE,
        Intent.REPORT_ABSENCE,
        Intent.UPCOMING_MEETINGS,
    }
)
SLOTS = ("team", "date", "kind", "place", "time", "meeting", "scope")
UNSLOTTED = frozenset({"help", "small_talk", "cancel", "unknown"})  # intents that act on nothing
KINDS = ("physical", "digital")
MAX_PARSED_CHARACTERS = 1000


@dataclass(frozen=True)
class Parsed:
    intent: str
    slots: dict[str, str] = field(default_factory=dict)
    note: str | None = None  # why an intent-like text is unknown: "negated" or "someone_else"
    source: str = "rules"  # "rules", or "classifier" when the rules found no intent


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# When something is: a date, a weekday, a relative day or a meeting (for "kan inte <...> 4/2", "sjuk på torsdag").
_DATE_WORD = (
    r"(\d{1,2}(/| )\d{1,2}\b|\d{1,2}:?e? (jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec)"
    r"|(jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec)[a-z]* \d{1,2}\b)"
)
_WHEN = (
    r"(\d{1,2}(/\d{1,2}|:?e? (jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec))|(pa |den |nu |pa den )?(mandag|tisdag"
    r"|onsdag|torsdag|fredag|man|tis|ons|tors|fre|monday|tuesday|wednesday|thursday|friday)\w*\b|idag|imorgon|i morgon|imorn"
    r"|imorrn|imorron|ikvall|tomorrow|tmrw|today|tonight|nasta (gang|vecka|traff|mote)|[a-z-]*(traff|motet|mote)\w*)"
)

# Order matters: the first intent whose pattern matches wins. Patterns see folded text.
_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "cancel",
        _rx(
            r"^(nej,? |no,? |nej tack,? )?(avbryt|cancel|cancel that|stopp?|sluta|abort|glom det|strunta i det|skit samma|never ?mind"
            r"|forget it)\b[\s!.,]*(tack|please|fel|nu)?[\s!.]*$",
            r"^((nej|na|nae|no|oj|oops|ops|fel( knapp| dag)?)[\s,!.]+)*(avbryt|avsluta|stoppa?|angra|abort|cancel|skippa det"
            r"|strunta i (det|detta|det har)|skit i det|lat bli)\b(?!.*\b(traff|mote|motet|meeting|session|natverksdag|franvaro"
            r"|absence|aterbud|network)\w*)(\W+\w+){0,7}\W*$",
            r"^(jag |ja )?vill (inte|ej) (langre|mer|det har)[\s!.]*$",
            # a short line that ends by calling it off, with nothing named to call off ("nej jag ångrade mig, avbryt")
            r"^(?!.*\b(traff|mote|motet|meeting|natverksdag|franvaro|absence|aterbud)\w*)(\w+\W+){0,5}(avbryt|cancel|backa|glom det( dar)?"
            r"|never ?mind( that)?|forget (it|that))[\s!.]*$",
        ),
    ),
    (
        "my_data",
        _rx(
            r"\bvad (vet|har|sparar|lagrar) (du|ni|boten)( for (uppgifter|data|information))?"
            r"( sparat| lagrat| registrerat)? om mig\b",
            r"\b(uppgifter|data|information|info)\b.*\bom mig\b",
            r"\bpersonuppgift",
            r"\b(min|mina) (data|persondata)\b",
            r"\bregisterutdrag\b",
            r"\bgdpr\b",
            r"\bwhat (do|does) (you|the bot) (know|have|store|keep|hold)( stored| saved)? (about|on) me\b",
            r"\b(data|information|info)\b.*\b(about|on) me\b",
            r"\bmy (personal )?(data|information)\b",
            r"\bmina (person)?uppgifter\b",
            r"\ballt om mig\b",
            r"\bpersonal data\b",
            r"\bprivacy\b",
        ),
    ),
    (
        "log_notes",  # notes pasted in after a heading: whatever they mention, they are notes
        _rx(
            r"^((hej|hejsan|hallo|halla|tja)\W+)?(har (kommer|ar|e) )?(minnes|motes)?(anteckningar|anteckningarna|protokoll|protokollet)\b[^:?]{0,40}:\s*\w"
        ),
    ),
    (
        "agenda_all",  # the coordinator's question to every team's next meeting
        _rx(
            r"\b\w*(fraga|fragor|fragan|punkt|punkter)\b.*\b(alla|varje|varenda|samtliga) (amnes)?lag",
            r"\balla (amnes)?lag\b.*\b(ska|bor|borde) (diskutera|ta upp|prata om|ga igenom)\b",
            r"\b(alla|varje) (amnes)?lags? (nasta )?(traff|mote|dagordning)",
            r"\b(question|item) (for|to) (all|every) teams?\b",
            r"^(?=.*\b(alla|samtliga|varje) (amnes)?(lag|lagen|grupper|gruppern?a)\b)(?=.*\b(diskutera|diskuterar|prata om|ta upp|tar upp"
            r"|punkt\w*|diskussionsfrag\w*|fraga)\b)",
            r"\bsamma (punkt|fraga|diskussionspunkt|diskussionsfraga)\b.*\b(alla|samtliga|varje)\b",
            r"^(?=.*\b(all|every) teams?\b)(?=.*\b(discuss\w*|item|question|topic)\b)",
        ),
    ),
    (
        "agenda_item",  # a member's item for the next meeting
        _rx(
            r"\bta upp\b",
            r"\b(dagordning|agenda)\w*",
            r"\b(punkt|fraga|forslag)\w* (till|for|pa) (nasta|kommande) (traff|mote)",
            r"\b(bring up|raise)\b.*\b(next )?meeting\b",
            r"\b(diskussions|agenda)?punkt(er)?\b(?!.*\b(anteckning|protokoll)\w*)",
            r"^(?=.*\b(diskutera|diskuterar|prata om|pratar om|snacka om|snackar om|lyfta?|tar upp|forslag|ide|tips|topic|item|discuss"
            r"|talk about|add something)\b)"
            r"(?=.*\b((nasta|kommande) (gang|traff|mote|\w+traff)|next (meeting|time)|infor (nasta |kommande )?\w*(traffen|motet)"
            r"|pa (traffen|motet)))",
            r"\b(lagg|lagga|satt|satta) (till|in|upp)\b.*\b(pa|till) (vart |var )?(nasta|kommande) (traff|mote)",
            r"\b(add|put)\b.*\b(to|for|on) (our|the) next (meeting|session)\b",
            r"^(forslag|ide|tips|topic)\b[^:?]{0,40}:",
        ),
    ),
    (
        "remove_network_day",  # before the absence rules: "ta bort nätverksdagen 22/4, den krockar med påsk"
        _rx(
            r"\b(ta bort|plocka bort|lyft\w* bort|radera|stryk|remove|delete|avboka|avlys\w*|stall\w* in|cancel|call off)\b.*\b(natverksdag\w*"
            r"|network ?days?)\b",
            r"\bnatverksdag\w*\b.*\b((ar|blir) installd|ta bort (den|det)|stryk (den|det)|radera (den|det)|utgar|ska bort|stryks"
            r"|tas bort|blir inte av|is cancell?ed)\b",
        ),
    ),
    (
        "cancel_meeting",  # a request to call off a meeting, with a reason that reads like an absence
        _rx(
            r"\b(stall in|avlys\w*|avboka\w*)\b( \w+)? [a-z-]*(traffen|motet|traff|mote)\b(?!.*\b(franvaro|aterbud)\w*)",
            r"\binstalld (traff|mote)\b",
            r"\b(traff|mote|meeting)\w*\b[^?]*\b(stall in|avboka|avlys|cancel) (den|det|it)\b",
        ),
    ),
    (
        "withdraw_absence",
        _rx(
            r"\b(ta tillbaka|dra tillbaka|ta bort|aterkall\w*|angra\w*|stryk|radera|makulera|annullera|glom|strunta i|withdraw"
            r"|undo|take back|remove)\b.*\b(franvaro\w*|absence|aterbud\w*)",
            r"\b(ta bort|stryk|radera) att (jag|ja) (ar|e|blir|var) (borta|franvarande|sjuk)\b",
            r"\b(kan|kommer|kmr) (ju|visst)\b(?!.*\b(inte|ej)\b)|\b(coming|come|make it) after all\b|\brakna med mig (igen|anda)\b",
            r"\bfranvaro\w*\b.*\b(av misstag|by mistake)\b|\bfrisk (igen|nu)\b.*\b(kommer|kmr|kan)\b",
            r"\bfranvaro\w*\b.*\b(kan |ska )?(tas bort|strykas|raderas)\b",
            r"\bfranvaro\w* (tillbakadragen|aterkallad|struken|borttagen|raderad)\b",
            r"\bfranvaro\w*\b.*\b(galler (inte|ej) langre|ta bort (den|det)|stryk (den|det)|radera (den|det))\b",
            r"\b(kan|kommer|blir) (komma |delta |vara med |va med |med )?(anda|i alla fall|anda pa|trots allt)\b",
            r"\b(kan|kommer|kmr|hinner|ar med|e med)\b(?!.*\b(inte|ej)\b).*\b(anda|trots allt)\b",
            r"\bangrar mig\b.*\b(kommer|kmr|kan)\b",
            r"\b(never ?mind|forget|scrap|drop) my absence\b",
            r"\bcan (come|make it|attend) after all\b",
            r"\bcancel my absence\b",
        ),
    ),
    (
        "absences",
        _rx(
            r"^(vilka|vem|hur manga|who|who'?s)\b.*\b(kommer (inte|ej)|(inte|ej) kommer|missar|franvar\w*|borta|forhinder|not coming|absent"
            r"|sjukanmal\w*|saknas|kan (inte|ej)|inte kan|can'?t|cannot|won'?t)\b",
            r"^kommer alla\b|\b(manga|nagon|nan|nagra) som (ar|blir) (borta|franvarande|sjuka?)\b",
            r"^(ar|e) (nagon|nan|nagra)\b.*\b(borta|franvarande)\b",
            r"\b(har|ar) (nagon|nan|nagra)\b.*\b(anmalt|lamnat aterbud|franvar\w*)",
            r"^(vilka|vem|hur manga)\b.*\b(lamnat aterbud|aterbud)\b",
            r"\bfranvarolist\w*",
            r"\b(lista|visa)\w* (over )?(alla )?(anmalda )?franvar\w*",
            r"\banmalda franvaro\w*",
            r"\b(vilka|vem|hur manga)( \w+)? (som )?(har )?(anmalt|lamnat|sagt)\b",
            r"\bfranvaro(anmalningar|anmalningarna|listan)\b",
            r"^(franvarande|franvaro|borta)\b[^?]*\?\s*$",
        ),
    ),
    (
        "report_absence",
        _rx(
            r"\banmal\w*( min| en)? franvaro",
            rf"^(borta|ledig)\W+({_DATE_WORD}|{_WHEN})[\s!.]*$",
            r"\bfranvaro\b.*\bfor mig\b",
            r"\baterbud\b",
            r"\b(deltar|medverkar|narvarar) (inte|ej|int)\b",
            r"\banmal\w* mig( som)? (borta|franvarande|sjuk)\b",
            r"\brakna (inte|ej) med mig\b|\brakna bort mig\b|\bcount me out\b",
            r"\b(stalla in|avboka|avanmala?) (mitt|min) (deltagande|plats)\b|\bavanmal\w* mig\b",
            rf"\bkan (tyvarr |nog |verkligen |inte heller )?(inte|ej|int)\b(?! (hitta|logga|se|oppna|ladda|forsta|hora|lasa|svara|ringa))(\s+\S+){{0,4}}?\s+{_WHEN}",
            rf"\b(sjuk|sjukt barn|semester|ledig|bortrest|krock\w*|migran|feber|tjansteresa|pa kurs)\b.*\s{_WHEN}",
            rf"\s{_WHEN}\b.*\bkrock(ar|ade)?\b",
            rf"{_WHEN}\W+(kan|kommer|kmr) (jag|ja) (inte|ej)\b",
            r"\bfranvaro\w*\b.*\b(pga|eftersom|sjuk\w*)\b",
            r"\bhinner (verkligen |tyvarr |nog )?(inte|ej)\b",
            rf"^{_WHEN}\W+(sjuk|ledig|bortrest|nej|funkar (inte|ej))\b",
            rf"\b(cant|can'?t|cannot)\b.*\b{_WHEN}",
            r"\bskipping\b",
            r"^(jag |ja )?(ar |e |blir )?franvarande\b",
            r"\b(skriv upp|satt|markera|registrera) mig som franvarande\b",
            r"(?<!vi )\b(skippar|skippa|hoppar over|hoppa over|avstar( fran)?|uteblir( fran)?)\b.{0,20}(traff|mote|ses)",
            r"\bsta over\b",
            r"\bkmr (inte|ej|int)\b",
            r"\bkommer (darfor |tyvarr |nog )?(inte|ej)\b(?! ihag)",
            r"\bblir (tyvarr )?(inte|ej) med\b",
            r"\banmala att (jag|ja) (inte|ej)\b",
            r"\b(won'?t|will not|not) be able to (attend|come|make it|join)\b",
            r"\bkan (inte|ej)( va med| vara med| den| pa)?\W*(\d|$|,|pa |den |idag|imorgon|i morgon)",
            r"\b(jag|ja|jg) (ar|e|blir) (ledig|krasslig|forkyld|magsjuk|sjukskriven|pa kurs|pa semester|pa tjansteresa)\b",
            r"^(sjuk|ledig|bortrest|sjukskriven|magsjuk|forkyld|krasslig)\b",
            r"\bstanna\w* hemma\b",
            r"\b(funkar|passar|gar) (inte|ej) for mig\b",
            r"\bingen (traff|mote) for (mig|min del)\b",
            r"\bblir (det )?(inget|ingen traff) for mig\b",
            r"\b(far|fick|fatt|har|anmaler|anmala) forhinder\b",
            r"\b(ingen|inte|ej) (mojlighet|chans) att (komma|delta|vara med|narvara)\b|\btar mig (inte|ej) (till|dit)\b",
            r"\bkan (\w+ )?(inte|ej) (komma|delta|vara med|narvara)\b|\bblir (nog |tyvarr )?(inte|ej) (me|med)\b",
            rf"^{_WHEN}\W+(ar|e|blir) (jag|ja) (borta|ledig|sjuk|franvarande|bortrest|upptagen)\b",
            r"^(absent|absence|away|off sick)\W+\d",
            r"\bhar (inte|ej) (mojlighet|tid) att (komma|delta|vara med)\b|\b(inte|ej) har (mojlighet|tid) att (komma|delta|vara med)\b",
            r"\bklarar (inte|ej) (av )?att (komma|delta|vara med)\b",
            r"\bpass pa (traff|mote)",
            r"\b(going to|gonna|have to|will|i'?ll) (miss|skip)\b",
            r"\bunable to (attend|come|make it|join)\b",
            r"\bmark me (as )?absent\b",
            r"\bout sick\b",
            r"\bfranvaroanmal",
            r"\bsjukanmal",
            r"\b(kan|kommer) (inte|ej|tyvarr inte) (komma|delta|vara med|narvara|na)\b",
            r"\bkommer (inte|ej)\b(?! ihag)",
            r"\bkan jag (inte|ej|tyvarr inte)\b",
            r"\bblir (borta|franvarande|inte med)\b",
            r"\b(jag|ja|jg) (ar|e|blir) (borta|franvarande|sjuk|forhindrad|bortrest|bortbjuden|upptagen)\b",
            r"\bfranvaro\w*\b.*\bnasta (traff|mote)",
            r"\b(hinner|hinna) (inte|ej)\b",
            r"\bstar over\b",
            r"\bvabb?(ar|a)?\b",
            r"\bmissar\b",
            r"\bforhindrad\b",
            r"\b(can'?t|cannot|can not|won'?t|will not) (make it|come|attend|be there|join)\b",
            r"\b(i'?ll|i will|i am|i'?m) (be )?(absent|away|off sick|sick)\b",
            r"\breport (an |my )?absence\b",
        ),
    ),
    ("region_framework", _rx(r"\bvad (star|sager)\b.*\bram(ar|arna|dokument\w*|verk\w*)\b")),
    (
        "enter_cost",
        _rx(
            r"\bkostnad\w*",
            r"\bkostade\b",
            r"\bfaktur\w*",
            r"\bdela (upp )?(notan|utgift\w*)",
            r"\b(the |our |a )?(cost|costs)\b",
            r"\binvoic\w*",
            r"\bsplit the (bill|bills)\b",
            r"\b(utgift|utlagg|resekostnad)\w*",
            r"\b\d[\d ]* ?(kr|kronor|sek)\b",
        ),
    ),
    (
        "confirm_attendance",
        _rx(
            r"\bnarvar(o|on|olista|olistan|ande)\b",
            r"\b(vilka|vem|hur manga) (var|kom) (med|dit|pa plats|pa traffen|pa motet)\b",
            r"\battendance\b",
            r"\bvilka var (dar|med)\b|\bpricka av\b|\bregistrera deltagare\b|\balla kom\b",
            r"\balla var (dar|med|pa plats)\b|\bbekrafta deltagar\w*|\bvilka deltog\b",
            r"\bwho (attended|came|was there|showed up)\b",
            r"^(vilka|vem) kom\b|\b(vilka|vem) som kom\b|\b\d+ (av|of) \d+ (kom|var (med|dar))\b",
        ),
    ),
    (
        "cancel_meeting",
        _rx(
            r"\b(stall|stalla|staller|stalls) in\b.*(traff|mote)",
            r"\b(avlys|avboka|stryk|radera|ta bort|stang ner)\w*\b.*(traff|mote)",
            r"\bvi (skippar|stryker|kor inte)\b.*(traff|mote)",
            r"(traff|mote)\w*\b.*\b(far utga|utgar|blir inte av|(ar|blir) installd|stall in|avlys \w+|stryk (den|det))\b",
            r"\b(cancel|call off|delete|remove)\b.*\b(meeting|session)\b",
            r"^(?!.*natverksdag).*\b(blir|ar) (installd|installt)\b",
        ),
    ),
    (
        "change_meeting",
        _rx(
            r"\b(andra|flytta|byt|byta|uppdatera|skjut upp|skjut pa|skjut fram|senarelagg|tidigarelagg)\b.*(traff|mote)",
            r"\bny (tid|plats|lokal) for (traff|mote)",
            r"\bgor (traffen|motet)\b.*\b(digital|fysisk)",
            r"\b(byt|byta|byter|andra|andrar)\w* (till|om till) (digital|fysisk|teams|zoom|pa plats)\w*",
            r"(traff|mote)\w*\b.*\bistallet\b",
            r"\b(change|move|switch|reschedule|postpone|update|edit)\b.*\b(meeting|session)\b",
            r"\breschedule\b",
        ),
    ),
    (
        "people_without_team",
        _rx(
            r"\b(saknar|utan|inte valt|ej valt|inte har valt|inget|inte med i nagot|inte har nagot)( nagot| ett| nan| nagon)? (amnes)?lag\b",
            r"\b(no|without a|without|missing a|missing) team\b",
            r"\bsaknar\b.*\bamneslag\b",
            r"\b(have|has)(n'?t| not) (chosen|picked) a team\b",
            r"\b(inte|ej) (tillhor|har) (nagot|nat|nan|nagon|ett) (amnes)?(lag|grupp)\b",
            r"^(vem|vilka)\b.*\bhar (inte|ej) (valt|anmalt sig)\b(?!.*\b(kallelse|anteckning|protokoll|traff))|\butan (grupp|lag|amneslag)\b",
            r"\bhar alla\b.*\bvalt (amnes)?lag\b",
            r"^(vem|vilka)( som)? saknar (ett |en |nagot |nagon )?(grupp|natverk)\b",  # the other regions' words
            r"\b(larare|personal|medarbetare|anstallda) som (inte|ej) (har )?(valt|anmalt sig)\b",
        ),
    ),
    (
        "status",
        _rx(
            r"\bhar (alla|nagon|vilka)\b.*\b(kallelse\w*|skickat|rapporterat)",
            r"\b(vilka|vilken|hur manga) (skol\w*|lag|amneslag) (har )?(inte|ej) (rapporterat|skickat|lamnat|bokat)",
            r"\bhur ligger (lagen|amneslagen|vi|regionen|\w+) till\b",
            r"\blages(rapport|bild)\b|\bligger efter\b|\bhow are (the |our )?teams\b",
            r"\bhur langt\b.*\b(lagen|amneslagen|skolorna|ledarna)\b",
            r"^(har|vilka|vilken|hur manga|ar det (nagot|nat|nan)|finns det (nagot|nat|nan)) (alla |nagot |nat |vilka )?(amnes)?(lag|lagen"
            r"|ledare|ledarna|skolor|skolorna|rektorer|rektorerna|\w+laget)\b.*\b(haft|skickat|loggat|bokat|planerat|rapporterat"
            r"|lamnat|saknar|ledare|kommit igang|traffats)\b",
            r"\bhur (det )?(gar|ser) (det )?(ut )?(for|i|med) (\w*laget|\w*lagen|regionen|vara larare|lararna)\b|\blaget i (amnes)?lagen\b",
            r"\bstatus\w*|\bhow (are|is) (things|it) going\b|\bhur manga (traffar|moten) har (hallits|varit)\b",
        ),
    ),
    (
        "absences",
        _rx(
            r"\bfranvaro\w*",
            r"\b(vilka|vem|hur manga) (ar|blir|var) (borta|franvarande)\b",
            r"\b(who|who'?s) (is |will be )?(absent|away|missing)\b",
            r"\babsen(ces|t)\b",
        ),
    ),
    (
        "notes_digest",
        _rx(
            r"^(?=.*\b(sammanfatt|summer|sammanstall|sammandrag|overblick|oversikt|summary|digest|gemensamma|samla ihop)\w*)"
            r"(?=.*\b(alla|samtliga|arets|i ar|hela (aret|lasaret|terminen)|sedan|sen|hosten|hostens|varens|terminens|lasarets|i host"
            r"|terminen|this (term|year)|year|every|all)\b)"
            r"(?=.*(anteckning|protokoll|notes|minutes|traffar|diskuter|tagit upp|pratat om))",
            r"\bvad har (alla )?(amnes)?(lagen|grupperna|alla (amnes)?lag|alla grupper)\b.*\b(diskuterat|pratat om|tagit upp|jobbat med"
            r"|skrivit)\b",
            r"\bvad har (diskuterats|tagits upp) i (alla|samtliga)\b|\bwhat have (the|all) teams been (discussing|talking)\b",
            r"\barets (anteckningar|protokoll)\b.*\bsamman\w*",
        ),
    ),
    (
        "latest_notes",  # asking whether someone has written the last meeting's notes, or to see them, is asking for them
        _rx(
            r"\b(har|kan) (nan|nagon|ni|du)\b[^.!]*\b(anteckning|protokoll)\w*\b[^.!]*\b(forra|senaste|sista)\b",
            r"\b(anteckning|protokoll)\w*\b.*\bvill (se|lasa|ha) (dom|dem|de)\b",
        ),
    ),
    (
        "log_notes",
        _rx(
            r"\b(logga|skriv|dela|skicka|sprid|distribuera|publicera|lagg in|lagga in|lagga upp|lagg upp|spara|fora|for in"
            r"|mejla|maila|registrera|klistra in|ladda upp)\w*( ut| in| upp)?( mina| vara| dom| de| dagens| nya)? \w*(anteckning|protokoll)",
            r"\bprotokollfor\w*|\bdokumentera\b|\banteckna\b|\bskriva? ner\b",
            r"^(nya|nytt|ny) (minnes)?(anteckning|protokoll)\w*\b[^?]*$",
            r"(anteckning|protokoll)\w*\b.*\b(lagga|lagg|dela|skicka|spara|ladda) (in |ut |upp )?(dem|dom|de)\b",
            r"^(minnes|motes)?(anteckningar|protokoll)\w*[^:?]{0,40}:\s*\w",
            r"\bhar (kommer|ar) (minnes|motes)?(anteckningarna|protokollet)\b",
            r"(anteckning|protokoll)\w*\b.*\b(skickas (nu )?ut|ska ut)\b",
            r"\b(log|write|distribute|share|send|post|upload|record)( out| up)?( the| my| our| today'?s)? (notes|minutes)\b",
            r"\b(notes|minutes)\b[^?]*:\s*\w",
        ),
    ),
    (
        "notes_digest",
        _rx(
            r"\b(sammanfatt|sammanstall|sammandrag|oversikt|digest|summar)\w*\b.*\b(alla|samtliga|all|every)\b.*"
            r"(anteckning|notes|protokoll|minutes)",
            r"\b(sammanfatt|sammanstall|sammandrag|digest|summar)\w*\b.*(anteckning|notes|protokoll|minutes).*"
            r"\b(sedan|fran|since|from|hosten|varen|terminen|term|in)\b",
            r"\bdigest\b",
            r"\b(alla|samtliga) (amnes)?lags? \w*(anteckning|protokoll)|\bsamlade \w*(anteckning|protokoll)\w*\b.*\balla\b",
            r"\b(sammandrag|sammanfattning|summering) av alla\b",
            r"\b(summer|sammanfatt|sammanstall)\w*\b.*\balla (lag|amneslag|team)",
            r"\b(amnes)?lagen\b.*\b(diskuterat|tagit upp|pratat om|jobbat med)\b",
            r"\balla (amnes)?lag\b.*\b(diskuterat|tagit upp|pratat om)\b",
        ),
    ),
    (
        "latest_notes",
        _rx(
            r"anteckning",
            r"\bnotes\b",
            r"\bprotokoll",
            r"\bminutes\b",
            r"\bvad (tog|sa|pratade|beslutade|beslutades|diskuterade|kom|hande)\b.*\b(forra|senaste|sista|traffen|motet|gangen)\b",
            r"\bwhat did we (talk|discuss|decide)\w*\b",
            r"\bvad (sades|bestamdes|beslutades|togs upp)\b|\breferat\b|\bwhat was (decided|said|discussed)\b",
            r"\bsammanfattning av (forra|senaste|sista) (traff|mote)",
            r"\bvad (pratade|diskuterade|sa|tog) (ni|vi)\b",
            r"\bvad (\w+ ){0,3}(bestamde|beslutade|kom \w+ fram till|skrev|skrevs|sades|hande)\b.*\b(sist|senast|forra|senaste)\b",
            r"\b(nytt|nyheter) fran (forra|senaste|sista) (traffen|motet|gangen)\b",
        ),
    ),
    (
        "confirm_framework_review",
        _rx(
            r"\b(gatt|gick|gar|ga|gatt) igenom\b.*\bram",
            r"\bram\w*\b.*\b(genomgang\w*|genomgatt|genomgangna|avklarad\w*|klara?t?)\b",
            r"\bbekrafta\w*\b.*\b(genomgang|ram)",
            r"\b(reviewed|went through|gone through)\b.*\bframework\b",
            r"\bram\w*\b.*\b(gicks igenom|(gatt|gick|last) igenom|genomgangna?|genomlast|avklarade?|gjord|klara)\b",
            r"\b(genomgang\w*|last igenom|lasit igenom|gatt igenom|checka av|bocka av|markera)\b.*\bram",
            r"\bframework reviewed\b",
            r"\bklart? med ram\w*|\bram\w*\b.*\b(avklarat|gick (vi|ni) igenom|har (vi|ni) (gatt|last) igenom)\b",
            r"\b(last|gatt|gick) igenom\b.*\bram\w*\b",
            r"\bframework review\b",
            r"\b(vi|laget|gruppen) (har )?(last|lasit|diskuterade|diskuterat|pratade om|pratat om)\b.*\bram(ar|arna|verk|dokument)\w*",
            r"\bframework (done|completed|finished|checked)\b|\bwe (discussed|read|reviewed)\b.*\bframework\b",
        ),
    ),
    (
        "region_framework",
        _rx(
            r"^(visa |se )?(regionens |vart )?(ramverk(et)?|installningar(na)?)( for regionen)?[\s?!.]*$",
            r"\b(regionens|vara) (ramverk|installningar)\b",
            r"\binstallningar\w* (har|for|i) regionen\b",
            r"^(show )?(the )?(region'?s? |framework )?(framework|settings)[\s?!.]*$",
        ),
    ),
    (
        "region_framework",
        _rx(
            r"\bram(ar|arna|dokument\w*|verk\w*)\b",
            r"\bframework\b",
            r"\bregionens (mal|riktlinjer)\b",
            r"\bmal (har|for) regionen\b",
            r"\bmalen for (regionen|amneslagen)\b",
        ),
    ),
    (
        "network_days",
        _rx(
            r"^(visa |lista |se |show |list )?(alla |vara |regionens |the |all )?(natverksdagar(na)?|network days)[\s?!.]*$",
            r"\b(vilka|nar ar|nar blir|when are|which are the)( vara| the)? (natverksdagar\w*|network days)",
            # a question about network days, or their plural or definite form with no date: to see them, not to add one
            r"^(?!.*\b(lagg|lagga|ny|nya|nytt|skapa|boka|planera|satt|satta|registrera|extra|add|new|create|set)\b)"
            r"(?=.*(natverksdag|network ?day))(.*\?|(vilka|vilken|nar|har|finns|ar|e|hur|visa|lista|se|kolla|show|list|which|when"
            r"|are|is)\b|.*\b(natverksdagar|natverksdagarna|natverksdagen|network days)\b(?!.*\d))",
        ),
    ),
    ("add_network_day", _rx(r"natverksdag", r"\bnetwork ?days?\b")),
    (
        "send_notice",
        _rx(
            r"kallelse",
            r"\bkalla (till|in|alla|medlemmarna|laget|gruppen)\b",
            r"\binbjud(an|ningar|ningarna|ningen)\b",
            r"\bbjud in\b",
            r"\bpaminn (alla|laget|gruppen|medlemmarna)\b",
            r"\b(send|email|mail)( out)?( the| a)? (notice|invitation|invite)\b",
            r"\bnotice\b",
        ),
    ),
    (
        "appoint_leader",
        _rx(
            r"\b(utse|utnamn|tillsatt|valj|ny|nya|byt|ersatt|lagg till)\w*( en| ny| nya| till)? (amneslags)?ledare",
            r"\bappoint\b",
            r"\b(utse|utnamn|tillsatt)\w*\b.*\bledare",
            r"\b(ska|kommer att) (bli|vara) (ny |den nya )?(amneslags)?ledare (for|i)\b",
            r"\b(new|replace the|change the) (team )?leader",
            r"\b(satt|gor)\b \w+ (till|som) ledare",
            r"^\w+ (ska leda|tar over som ledare)\b",
            r"\bmake \w+ (the )?leader\b",
        ),
    ),
    (
        "schedule_meeting",
        _rx(
            r"\b(boka|planera|lagg in|satt in|skapa|ny|nytt|satt upp|ordna|kalla till)(?!de )\w*( en| ett)?( ny| nytt)?"
            r"( fysisk\w*| digital\w*)? [a-z-]*(traff|mote)",
            r"\bschedule\b",
            r"\b(book|plan|set up|create|arrange|add)( a| an)?( new)?( physical| digital| online| in person)? (meeting|session)\b",
            r"\bnew meeting\b",
            r"^(en |ett )?(ny |nytt )?(digital|fysisk)\w* (traff|mote)\w*\b",
            r"\bvi (behover|ska|borde|maste) (ses|traffas|(ha )?(en|ett) (traff|mote))\b",
            r"^boka \d",
            r"\b(boka|planera|lagga? (in|upp|till|en|ett)|skapa|satta? upp|ordna|fixa|arrangera|schemalagg|inplanera|fa till)(?!de )\w*"
            r"( in)?( en| ett)?( ny| nytt)?( (?!till\b|for\b|pa\b|at\b|om\b)\w+){0,2} \w*(traff|mote)",
            r"\bsatta? (ett )?datum\b",
            r"\b(motes|traff)?bokning\b|\binbokning\b",
            r"\bvi kor (en|ett)\b.*(traff|mote)",
            rf"^(en |ett |ny |nytt )?[a-z-]*(traff|mote|samling|workshop\w*)\b(?<!traffen)(?<!motet)(?! (ar|blir|e) )[^?]*\b{_DATE_WORD}",
            r"\b(boka|satt in|satta in|ordna|planera)( in)?( en| ett)?( ny| nytt)? (samling|sammankomst|workshop\w*)",
            rf"\b(lagga? in|boka|skriv in|satta? in) (det|den)\b.*|{_DATE_WORD}.*\b(lagg in|boka) (det|den)\b",
            r"^boka (digitalt|fysiskt|pa plats)\b",
            r"\bkan vi (ses|traffas)\b",
            r"\b(kan|ska|vill) vi ha (en|ett)( \w+)? (traff|mote)\b|\bvi (vill|kan) (ses|traffas)\b.*\d",
            r"\blet'?s meet\b",
        ),
    ),
    (
        "confirm_memberships",
        _rx(
            r"\b(bekrafta|godkann|confirm|approve)\w*\b.*\b(amneslag\w*|val\w*|alla|members\w*|choices?|all|teams?|dem|dom)\b",
            r"\bok:?a\b.*\b(amneslag\w*|val\w*|alla)\b",
            r"\b(bekrafta|godkann|klubba)\w*\b.*\b(allihop|medlemskap\w*|lagval\w*)\b",
            r"^(?=.*\b(bekrafta|godkann|klubba|ok:?a|okej|approve|confirm)\w*)(?=.*\b(valen|val|lagval\w*)\b)(?!.*\b(traff|mote)\w*)",
        ),
    ),
    (
        "year_report",
        _rx(
            r"\barsrapport",
            r"\barlig\w* rapport",
            r"\b(year|annual|yearly) report\b",
            r"\brapport(en)?\b.*\b(aret|lasaret|hela aret)\b|\b(aret|lasaret)\b.*\brapport\b|\b(arets|lasarets) rapport\b|\barsredovisning",
        ),
    ),
    (
        "report_memberships",
        _rx(
            r"\brapportera\w*",
            r"\bskicka in\b",
            r"\brapport till samordnar",
            r"\b(skicka|lamna)\w*( in| over)? (listan|skolans (val|lista|lagval|amneslag)\w*)\b",
            r"\b(skicka|lamna)\w*( in)?\b.*\b(valen|amneslagslistan|listan med amneslag)\b",
            r"\breport\b.*\b(members\w*|teams?|coordinator|choices)\b",
            r"\bsend\b.*\b(team choices|memberships)\b",
        ),
    ),
    (
        "list_staff",
        _rx(
            r"\b(mina|min|vara) (medarbetare|personal|larare|anstallda|pedagoger)\w*\b",
            r"\b(vilka|vem) (larare |pedagoger )?(jobbar|arbetar|finns) (pa min|pa skolan|hos mig|hos oss)\b",
            r"\bvilka (larare|pedagoger) har (jag|vi)\b",
            r"\b(lista|visa) (alla |over )?(larare|larararna|pedagoger|pedagogerna)\b",
            r"\blarar(na|lista)\b",
            r"\bwho works\b",
            r"\bhur manga (larare|pedagoger|anstallda|medarbetare)\b|\bteachers (at|in) my\b",
            r"\bmy (staff|teachers|employees)\b",
            r"\b(vilka|vem) (av mina )?(larare|pedagoger|medarbetare) har valt\b",
            r"\bpersonal(en|lista)?\b",
            r"\bstaff\b",
        ),
    ),
    (
        "my_team",  # a question about one's team, whatever verb it has ("vilka andra är med i mitt lag?")
        _rx(r"^(vilka|vem|vilket|who|which)\b(?!.*\b(traff|mote|meeting)\w*).*\b(mitt|vart|my) (amnes)?(lag|team)\b"),
    ),
    (
        "choose_team",
        _rx(
            r"\b(kan|vill|ska|far) (jag|ja) (flytta|byta|ga) (over )?till\b",
            r"\b(valja|valj|byta|byt|andra|anmal mig till)\b.*\b(amneslag\w*|lag|till)\b",
            r"\banmala? mig (till|i)\b",
            r"\bbyt mig\b",
            r"\b(vill|ska|skulle vilja|kan jag|far jag) (vara med|va med|ga med|ga over|borja|vara|va|bli med) (i|till)\b",
            r"\b(vill|ska|kan jag|far jag) (valja|byta)\b",
            r"\bga (med|over) (i|till)\b",
            r"\b(va|vara|bli|ga|komma) (me|med) i\b",
            r"\b(vill|ska) (hellre |helst )?(vara|va|in) i\b",
            r"\btillhora\b",
            r"\b(satt|lagg|flytta|registrera|placera|put|skriv in|signa upp) (mig|me)( upp)? (i|till|for|in)\b",
            r"\bskriv in mig\b|\bbli medlem\b|\bsign me up\b|\bbli (en )?del av\b",
            r"\b(byta|byt|byter|andra|vaxla)\b.*\b(grupp\w*|amnesgrupp|till)\b",
            r"\b(hoppa|flytta) over till\b",
            r"^(valj|valja)\b",
            r"\bsom (mitt )?(amnes)?lag\b",
            r"\b(annat|nytt) (amnes)?lag\b",
            r"\b(can i|i want to|i'?d like to) (be in|join)\b",
            r"\b(choose|pick|switch|change|join)\b",
        ),
    ),
    (
        "upcoming_meetings",  # the team's meetings, before "mitt lag" makes it my_team
        _rx(
            r"\b(traffar|moten|meetings)\b.*\b(mitt|vart|my) (amnes)?(lag|team)\b",
            r"\binplanerat for mitt (amnes)?lag\b",
        ),
    ),
    (
        "my_team",
        _rx(
            r"\bmitt (amnes)?lag\b",
            r"\b(mitt|vilket) natverk\b",  # what Sjuhärad calls its groups
            r"\b(min|mina|vilken|vilka) grupp(er)?\b",  # and Västmanland
            r"\bvilket (amnes)?lag\b",
            r"\bmy (subject )?team\b",
            r"\bwhich team\b",
            r"\bmina (amnes)?lagskollegor\b",
            r"\b(vilka|vem) (andra )?(ar|e) (med )?i (mitt|vart) (amnes)?lag\b",
            r"\bvart (amnes)?lag\b",
            r"\bmin (amneslags)?ledare\b",
            r"\bmina lag(kompisar|kamrater)\b",
            r"\bwhat team\b|\bwhich group\b",
            r"\b(ar|e) (jag|ja) med i (nagot|nat|nan|nagon|ett) (amnes)?lag",
            r"\bhor (jag|ja) till\b|\bmina kollegor i (amnes)?laget\b|\bvilket team\b|\blaget (jag|ja) leder\b",
            r"\bvem ((ar|e) det som |som )?(leder|ar ledare for|e ledare for)\b",
            r"^(vilka|vem)\b.*\b(i|med i) (\w*laget|amneslaget|\w*gruppen)\b|\bteam members\b",
        ),
    ),
    (
        "upcoming_meetings",
        _rx(
            r"\b(nasta|kommande|narmaste)\b.*(traff|mote|\bses\b)",
            r"\bvad hander\b",
            r"\b(vilka dagar|vilken dag) (ses|traffas) vi\b",
            r"\bis there (a|any) (meeting|session)",
            r"\bkalender\b",
            r"\bvilken tid borjar\b",
            r"\bfinns det (nagon|nan|en|nat|nagot) \w*(traff|mote)",
            r"\bvar (ar|e|blir|ligger) (nasta |den nasta )?(traffen|motet)\b",
            r"\bnar (ska|kan) vi (ses|traffas)\b|\bses vi\b",
            r"\b(ar|e) det (nan|nagon|en|nat) \w*(traff|mote)",
            r"\w*(traffar|traffarna|moten|motena)\b.*\b(bokade?|inplanerade?|planerade?)\b|\bnar borjar\b",
            r"\binplanerat\b",
            r"(traff|mote)\w* (ar |har vi )?(inbokade|planerade)\b",
            r"\bnar (ses|traffs|traffas|moter|har vi)\b|\bnar (ar|e|blir) (det |vi |nasta |den |var )?[\w-]*(traff|mote|ses)",
            r"\bupcoming\b",
            r"\bnext (meeting|session)",
            r"\bwhen (is|are|do|will)\b",
            r"\b(traffar|traffarna|moten|motena|meetings)\b",
            r"\b(ar|blir) det (en |nan |nagon )?(traff|mote)\b",
            r"^(ar|e|blir) det (\w+ )?(traff|mote)\b|\b\w+(traffar|traffarna|moten)\b|\b(traff|mote)\w* snart\b",
            r"\bnar\b(\s+\w+){0,3}\s+(traffas|ses)\b",
            r"\bhar vi (nagon |nagra |nan |en )?(traff|mote)",
            r"\bschemat?\b",
            r"\bnastkommande\b|\bvar (ska|blir) vi (vara|ses)\b|^(ar|blir) (traffen|motet)\b.*\b(digital|fysisk)\w* eller\b",
        ),
    ),
    (
        "status",
        _rx(
            r"\bstatus\b",
            r"^(hur ar |vad ar )?laget\b(?! (i|for|med) (dans|sang|strak|film))[\s?!.]*$|\blaget i regionen\b",
            r"\boverblick\b",
            r"\bhur gar det\b",
            r"\boversikt",
            r"\boverview\b",
            r"\bsammanstallning",
        ),
    ),
    (
        "help",
        _rx(
            # a greeting with a few words more; a longer message is about something else, which the classifier may know
            r"^(hej|hejsan|hallo|halla|tja|tjena|tjenare|god (morgon|dag|kvall|eftermiddag)|hi|hello|hey|good (morning|afternoon))\b"
            r"\W*(\w+\W*){0,4}$",
            r"\bhjalp\b",
            r"\bhelp\b",
            r"\bvad kan (du|jag|ja|boten|man|en \w+|vi)\b",
            r"\bvad gor (man|jag|ja)\b",
            r"\bvad (ar|e) (det har|detta|du|ni|amneslagsboten|boten)\b",
            r"\bhur (anvander|kommer) (jag|ja|man|vi)\b",
            r"\b(instruktion|manual|guide|tutorial)\w*\b|\binfo om boten\b|\bforklara\b|\bfattar inte\b",
            r"\bhow does (this|it) work\b|\bwhat is this\b|\bvad ska (jag|ja) skriva\b",
            r"^(meny|menyn|startsida|home)[\s?!.]*$",
            r"\bvilka (val|alternativ|funktioner|saker)\b|\bfunktioner\b|^menyn?\b",
            r"\b(vet|forstar|fattar) (inte|ej|noll) (hur|vad) (man|jag|ja|en)\b",
            r"\b(visa|show) (alternativen|alternativ|options|vad du kan)\b",
            r"\bhjalpa mig\b",
            r"\bhur (funkar|fungerar) (du|boten|det har)\b",
            r"\bhur (funkar|fungerar) (detta|det)[\s?!.]*$",
            r"\bvad betyder (det|du|knapp\w*|\w+ i boten|amneslag\w*|natverksdag\w*)\b",
            r"\bvad gor (du|boten|ni)\b|\bvisa meny\w*|\bhur (skriver|pratar) (man|jag|ja)\b",
            r"\b(vet|forstar|fattar) (inte|ej|noll)\b.*\b(hur|vad)\b.*\b(gor|ska|funkar|fungerar|gora|skriva)\b",
            r"\bvad (ska|kan) (jag|ja|man) (gora|gor|skriva)\b|\bny har\b|^alternativ(en)?[\s?!.]*$",
            r"\bcommands?\b|\bhow does\b.*\bwork\b",
            r"\bwhat can (you|i)\b",
            r"\bkommandon\b",
            r"\bmeny\b",
            r"^\?+$",
        ),
    ),
]

# Common words within a typo of a team word ("stryk" ~ stråk, "gång" ~ sång, "dags" ~ dans, "bil" ~ bild):
# never read as a team, however close.
_NOT_TEAM_WORDS = frozenset(
    {
        "strax", "stark", "starka", "stryk", "stryka", "struk", "strok", "stack", "skapade", "skapad",
        "gang", "lang", "mang", "fang", "tang", "rang", "sant", "sand", "sagt", "saga",
        "dags", "dana", "sans", "fans", "dan", "dam", "damm", "bil", "vild", "bilda", "fil", "filt",
        "fila", "filmat", "drar", "dram", "form", "forma", "slag", "plan", "brad", "glas", "blas",
        "blaser", "trab", "tra", "traff", "traffa", "traffar", "stad", "stat", "stora", "stor",
        "finns", "from", "bra", "bas", "basta", "band", "dagar", "danska", "dansk", "datum", "gitarrer",
        "saknar", "mal", "mala", "bill", "bills", "fill", "mild", "still", "stil", "stiga", "slar", "sloss", "smak", "strul", "stang", "stanga",
    }
)  # fmt: skip
_ENGLISH_TEAM_WORDS = {
    "strings": "Stråk",
    "brass": "Bleckblås",
    "woodwind": "Träblås",
    "woodwinds": "Träblås",
    "percussion": "Slagverk",
    "drums": "Slagverk",
    "guitar": "Gitarr/bas",
    "bass": "Gitarr/bas",
    "singing": "Sång",
    "vocals": "Sång",
    "voice": "Sång",
    "dance": "Dans",
    "drama": "Drama/teater",
    "theatre": "Drama/teater",
    "theater": "Drama/teater",
    "art": "Bild, form och skapande",
    "film": "Film",
    "piano": "Piano/keyboard",
    "keyboard": "Piano/keyboard",
}
_SWEDISH_EXTRA_WORDS = {"trummor": "Slagverk", "fiol": "Stråk", "elbas": "Gitarr/bas"}
_SKIP_PARTS = {"form", "i", "larare", "flera"}

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "maj": 5, "may": 5, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "okt": 10, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_WEEKDAYS = {
    "mandag": 0, "tisdag": 1, "onsdag": 2, "torsdag": 3, "fredag": 4, "lordag": 5, "sondag": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
_MONTH_WORD = r"(jan|feb|mar|apr|maj|may|jun|jul|aug|sep|okt|oct|nov|dec)[a-z]*\.?"
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_SLASH_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?(?![\d/])")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?::?e|:a|st|nd|rd|th)?(?: of)? {_MONTH_WORD}(?: (\d{{4}}))?")
_MONTH_DAY = re.compile(rf"\b{_MONTH_WORD} (\d{{1,2}})(?:st|nd|rd|th)?\b(?:,? (\d{{4}}))?")
_RELATIVE = re.compile(
    r"\b(idag|i dag|dagens|ikvall|i kvall|i eftermiddag|today|today'?s|tonight|imorgon|i morgon|imorron|imorrn|imorn"
    r"|morgondagens|tomorrow|tomorrow'?s|tomorrows|tmrw|tmrw'?s|i overmorgon|overmorgon|day after tomorrow"
    r"|igar|i gar|gardagens|yesterday|yesterday'?s)\b"
)
_SHORT_WEEKDAYS = {
    "tis": 1,
    "ons": 2,
    "tors": 3,
    "fre": 4,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "thu": 3,
    "thurs": 3,
    "fri": 4,
}
_WEEKDAY = re.compile(
    r"\b(nasta |next )?(" + "|".join([*_WEEKDAYS, *_SHORT_WEEKDAYS]) + r")(ens|en|s)?\b( nasta vecka| next week)?"
)
_PAST_WEEKDAY = re.compile(r"\bi (mandag|tisdag|onsdag|torsdag|fredag|lordag|sondag)s\b")  # "i fredags": last Friday
_IN_WEEKS = re.compile(r"\bom (en|1|tva|2|tre|3|fyra|4) veck(a|or)\b|\bin (a|one|1|two|2|three|3) weeks?\b")
_WEEK_COUNTS = {"en": 1, "a": 1, "one": 1, "tva": 2, "two": 2, "tre": 3, "three": 3, "fyra": 4}
_NEXT_MEETING = re.compile(r"\b(nasta|kommande|narmaste) (traff|mote|amneslagstraff|ses)\w*|\bnext (meeting|session)\b")
_HOUR = r"(\d{1,2})(?:[.:](\d{2}))?"
_TIME_RANGE = re.compile(
    rf"(?:\b(kl\.?|klockan|mellan|fran|between|from)\s*)?(?<![\d/.:-]){_HOUR}\s*(-|till|och|to|and)\s*(?:kl\.?\s*)?{_HOUR}(?![\d/])"
)
_PHYSICAL = re.compile(r"\bfysisk\w*|\birl\b|\bpa plats\b|\bin person\b|\bphysical\w*|\bpa riktigt\b|\bin real life\b")
_DIGITAL = re.compile(
    r"\bdigital\w*|\bonline\w*|\bdistans\w*|\bvideo\w*|\bteams[- ]?mote\w*|\bzoom\w*|\b(pa|via|over) teams\b|\bremote\w*"
)
_PLACE = re.compile(r"\b(?:i|pa|in|at|till|fran|for|hos|vid|to|from)\s+([a-z]+)")
_PLACE_WORDS = frozenset(
    {"mark", "mala", "sala", "alla", "kinna"}
)  # places that are also common words: only after a preposition
_MARKUP = re.compile(r"<[@#!][^>]*>|<[^>]{1,200}>|[*_~`]+")


def _team_aliases(teams: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Single-word aliases and multi-word aliases (folded) of each canonical team name."""
    words: dict[str, str] = {}
    phrases: dict[str, str] = {}
    for team in teams:
        folded = fold(team)
        (phrases if " " in folded else words)[folded] = team
        for part in re.split(r"[/,]| och ", folded):
            part = part.strip()
            if " " in part:
                phrases[part] = team
            elif part and part not in _SKIP_PARTS:
                words.setdefault(part, team)
        if "flera musikamnen" in folded:
            phrases["flera musikamnen"] = team
    known = set(teams)
    for extra in (_ENGLISH_TEAM_WORDS, _SWEDISH_EXTRA_WORDS):
        for word, team in extra.items():
            if team in known:
                words.setdefault(word, team)
    return words, phrases


# Endings that make a team word a compound: "pianoträffen", "gitarrlaget", "bildgänget", "stråkgruppen".
_COMPOUND_TAIL = re.compile(r"^s?(traff|mote|lag|gang|grupp|folk|larar|pedagog|kollega|ledare|amneslag|kompis)")


def _typo_allowance(alias: str) -> int:
    """How many edits a word may be from a team word and still name it: scaled to the word's length (a
    four-letter word only by two letters swapped or one added, see `_close`)."""
    return 0 if len(alias) < 4 else 1 if len(alias) <= 8 else 2


def _close(token: str, alias: str) -> bool:
    from rapidfuzz.distance import OSA  # optimal string alignment: a swap of two letters is one edit

    allowed = _typo_allowance(alias)
    if not allowed or token[0] != alias[0] or abs(len(token) - len(alias)) > allowed:
        return False
    if len(alias) == 4 and len(token) == 4 and sorted(token) != sorted(alias):
        return False  # a four-letter word: two letters swapped ("dnas") or one too many ("danss"), never another letter
    return OSA.distance(token, alias, score_cutoff=allowed) <= allowed


def find_team(folded: str, teams: Sequence[str]) -> str | None:
    """The canonical team a (folded) text names, if any."""
    words, phrases = _team_aliases(teams)
    for phrase, team in phrases.items():
        if phrase in folded:
            return team
    tokens = re.findall(r"[a-z]+", folded)
    for token in tokens:
        if token in words:
            return words[token]
    for token in tokens:  # compounds: the team word and a tail such as -träffen, -laget
        for alias, team in words.items():
            if len(alias) >= 4 and token.startswith(alias) and _COMPOUND_TAIL.match(token[len(alias) :]):
                return team
    for token in tokens:
        if len(token) < 4 or token in _NOT_TEAM_WORDS:
            continue
        for alias, team in words.items():
            if _close(token, alias):
                return team
    return None


def _school_year_date(day: int, month: int, today: dtm.date) -> dtm.date | None:
    start_year = today.year if today.month >= 7 else today.year - 1
    try:
        return dtm.date(start_year if month >= 7 else start_year + 1, month, day)
    except ValueError:
        return None


def _next_date(day: int, month: int, today: dtm.date) -> dtm.date | None:
    """The first `day` of `month` from `today` on (29 February: of the next leap year)."""
    for year in range(today.year, today.year + 9):
        found = _full_date(year, month, day)
        if found is not None and found >= today:
            return found
    return None


def _day_month(day: int, month: int, today: dtm.date, forward: bool) -> dtm.date | None:
    return _next_date(day, month, today) if forward else _school_year_date(day, month, today)


def _full_date(year: int, month: int, day: int) -> dtm.date | None:
    try:
        return dtm.date(year, month, day)
    except ValueError:
        return None


def find_date(folded: str, today: dtm.date, *, forward: bool = False) -> dtm.date | None:
    """The date a (folded) text names, if it names a possible one.

    A day and month without a year: with `forward` the first such day from `today` on (for what is being
    planned), else that day in the school year of `today` (for what has happened).
    """
    if m := _ISO_DATE.search(folded):
        return _full_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _SLASH_DATE.search(folded):
        day, month = int(m.group(1)), int(m.group(2))
        if m.group(3):
            year = int(m.group(3))
            return _full_date(year + 2000 if year < 100 else year, month, day)
        return _day_month(day, month, today, forward)
    if m := _DAY_MONTH.search(folded):
        day, month = int(m.group(1)), _MONTHS[m.group(2)]
        return _full_date(int(m.group(3)), month, day) if m.group(3) else _day_month(day, month, today, forward)
    if m := _MONTH_DAY.search(folded):
        month, day = _MONTHS[m.group(1)], int(m.group(2))
        return _full_date(int(m.group(3)), month, day) if m.group(3) else _day_month(day, month, today, forward)
    if m := _RELATIVE.search(folded):
        word = m.group(1)
        offset = (
            -1
            if "gar" in word or "yesterday" in word
            else 2
            if "over" in word or "after" in word
            else 1
            if "morgon" in word or "morr" in word or "morn" in word or "tomorrow" in word or "tmrw" in word
            else 0
        )
        return today + dtm.timedelta(days=offset)
    if m := _IN_WEEKS.search(folded):
        count = m.group(1) or m.group(3)
        weeks = int(count) if count.isdigit() else _WEEK_COUNTS.get(count, 1)
        return today + dtm.timedelta(weeks=weeks)
    if m := _PAST_WEEKDAY.search(folded):
        return today - dtm.timedelta(days=(today.weekday() - _WEEKDAYS[m.group(1)] - 1) % 7 + 1)
    if m := _WEEKDAY.search(folded):
        weekday = _WEEKDAYS.get(m.group(2), _SHORT_WEEKDAYS.get(m.group(2), 0))
        if m.group(1) or m.group(4):  # "nästa torsdag", "torsdag nästa vecka": that day of next week
            return today - dtm.timedelta(days=today.weekday()) + dtm.timedelta(weeks=1, days=weekday)
        ahead = (weekday - today.weekday() - 1) % 7 + 1
        return today + dtm.timedelta(days=ahead)
    return None


def find_time(folded: str) -> str | None:
    """A time range, "13:00-16:00", from "kl 13-16", "13.00-16.00", "från 9 till 12", "mellan 9 och 12"."""
    for m in _TIME_RANGE.finditer(folded):
        prefix, h1, m1, joint, h2, m2 = m.groups()
        if not prefix and joint != "-":
            continue
        start, end = (int(h1), int(m1 or 0)), (int(h2), int(m2 or 0))
        if not (6 <= start[0] <= 22 and 7 <= end[0] <= 23 and start < end and start[1] < 60 and end[1] < 60):
            continue
        return f"{start[0]:02d}:{start[1]:02d}-{end[0]:02d}:{end[1]:02d}"
    return None


def find_kind(folded: str) -> str | None:
    """The kind of meeting the text names; none when it asks which ("digital eller fysisk?")."""
    if _PHYSICAL.search(folded) and _DIGITAL.search(folded) and re.search(r"\b(eller|or)\b", folded):
        return None
    if _PHYSICAL.search(folded):
        return "physical"
    if _DIGITAL.search(folded):
        return "digital"
    return None


def find_place(folded: str, places: Sequence[str]) -> str | None:
    """A municipality the text names: after a preposition, or on its own (or as a genitive, "Umeås")."""
    by_fold = {fold(place): place for place in places}
    for m in _PLACE.finditer(folded):
        if m.group(1) in by_fold:
            return by_fold[m.group(1)]
    for token in re.findall(r"[a-z]+", folded):
        for word in (token, token[:-1] if token.endswith("s") else token):
            if word in by_fold and word not in _PLACE_WORDS:
                return by_fold[word]
    return None


def clean(text: str) -> str:
    """Folded text without chat markup (mentions, HTML tags, *bold*, _italics_), at most 1000 characters."""
    return fold(_DASHES.sub("-", _MARKUP.sub(" ", text[:MAX_PARSED_CHARACTERS])))


# Readings before the intent rules ----------------------------------------------------------------

_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_SMALL_TALK = {
    "thanks": re.compile(
        r"^(ok(ej|ay)?,? |bra,? |super,? |toppen,? )?(tack|tackar|tack tack|tusen tack|stort tack|tack sa (mycket|jattemycket|hemskt mycket)"
        r"|tack snalla|tack sa mkt|tack,? (fint|bra|toppen)|tack for (hjalpen|det|infon)|thanks?( a lot| so much)?|thank you( so much)?|thx|tnx|ty|tx)"
        r"( sa mycket| for hjalpen| boten| bot| igen| again)?$"
    ),
    "bye": re.compile(
        r"^(hej ?da|hejdå|ha det( bra| gott)?|vi ses|god jul (och|o) gott nytt ar|bye|bye bye|see you|god natt|good night|trevlig helg|ha en (bra|trevlig) helg"
        r"|ses|vi ses pa (mandag|tisdag|onsdag|torsdag|fredag)|ha en (fin|bra|trevlig) dag|god jul|glad jul|gott nytt ar|god fortsattning|glad pask|glad sommar|trevlig sommar|merry christmas|happy new year)"
        r"( (allihop|alla|boten|bot|pa dig|och gott nytt ar))?$"
    ),
    "hello": re.compile(
        r"^(hej|hej hej|hejsan|hallo|halla|tja|tjena|tjenare|tjabba|hallaa|morrn|morron|god (morgon|dag|kvall|eftermiddag)"
        r"|hi|hello|hey|hiya|good (morning|afternoon|evening))( (boten|bot|pa dig|allihop|alla|there|du|hallo|halla|hej))*$"
    ),
    "ok": re.compile(
        r"^(ok|okej|okay|oki|okidoki|kk|k|japp|jepp|jaha|aha|ah|bra|toppen|super|perfekt|kanon|fint|fint sa|grymt|najs|nice|great"
        r"|cool|coolt|lol|haha+( ok)?|hehe+|ja ok|ok da|ok bra|ok tack|alright|sounds good|bra jobbat|snyggt|tummen upp|:\)|:-\)|:d"
        r"|ok kanon|ok toppen|schysst|schyst|harligt|yes|cheers|tjo|nice one|jattebra|vi hors|hors|(jattebra|fint|perfekt|kanon|toppen) tack( sa mycket)?)$"
    ),
}
_HOW_TO = re.compile(
    r"\bhur (gor|kan|ska|skall|anmaler|bokar|skickar|lagger|byter|valjer|andrar|tar|raderar|avbokar|loggar|ser|hittar"
    r"|rapporterar|bekraftar|funkar|fungerar|ateranmaler|planerar|stryker|anvander|kallar|flyttar)\w* (jag|ja|man|vi|du|en)\b"
    # any other verb, when the question is about what the bot does (not "hur stämmer jag min gitarr")
    r"|^(?=.*\b(\w*(franvaro|traff|mote|amneslag|ledare|anteckning|protokoll|kallelse|natverksdag|rapport|narvaro|kostnad"
    r"|ramverk|dagordning)|lag|laget|val|valet|boten|bot|agenda|punkt|meny)\w*).*\bhur ((?!manga\b|mycket\b|lange\b|langt\b"
    r"|ofta\b|dags\b|var\b|gick\b|blev\b)\w+ (jag|ja|man|vi|du|en)\b|(funkar|fungerar) \w+)"
    r"|\bhur (funkar|fungerar|gar) det (att|nar|for att) (man |jag )?\w+|\bhur (funkar|fungerar) det med\b"
    r"|\bhur (anvands|funkar|fungerar) (det har|detta)\b"
    r"|\bvad (ska|kan|skall) (jag|ja|man) skriva\b"
    r"|\bhow (do|can|should|would) (i|we|you|one)\b|\bhow to\b"
    # "where can I find the notes" asks for the notes
    r"|\bwhere (do|can|should|would) (i|we|you|one)\b(?! (find|see|read) (the |our )?(notes|minutes|meetings|framework))|\bhow (does|do) [\w ]{0,40}\bwork\b"
    r"|\b(vad|hur) (gor|ska) (jag|man) (for att|om|nar)\b"
    r"|\b(kan|gar det att) man\b.*\?$"
)
_NEGATED = re.compile(
    r"\b(missar|missa|missade|skippar|skippa|vabbar|vabba) (inte|ej|aldrig)\b"
    r"|\b(inte|ej|aldrig|INTE) (att )?(missa|skippa|utebli)\b"
    r"|\b((ar|blir|e) (inte|ej)|(kommer|ska) (inte|ej) (att )?(vara|va|bli)) (borta|franvarande|sjuk|forhindrad)\b"
    r"|\b(ska|vill|tanker|kommer) (inte|ej|absolut inte) (att )?(byta|valja|ga over|ga med|lamna|anmala|avboka|stalla in|flytta|andra"
    r"|sta over|hoppa over|skippa|missa)\b"
    r"|\b(inte|ej) (anmala|rapportera) (nagon )?franvaro\b"
    r"|\b(behover|behov) (inte|ej) (anmala|rapportera|avboka)\b"
    r"|\b(won'?t|will not|am not going to|not going to|don'?t want to|do not want to) (miss|skip|switch|change team|cancel)\b"
    r"|\bnot (be )?(absent|away|missing)\b"
    r"|^(skicka|stall|boka|avboka|flytta|andra|ta|radera|stryk|lagg|anmal|bekrafta|godkann|rapportera|utse|logga)\w* (inte|ej)\b"
)
# The sender's own words: a sentence that starts with anyone else is about someone else.
_SELF_WORDS = frozenset(
    {
        "jag", "ja", "jg", "vi", "kan", "kommer", "hej", "hejsan", "det", "du", "ni", "man", "vill", "ska", "har", "ar",
        "nar", "vem", "vilka", "hur", "min", "mitt", "var", "tyvarr", "sorry", "idag", "imorgon", "och", "men", "nu",
        "ocksa", "nej", "jo", "ok", "okej", "i", "please", "anmal", "boka", "ta", "missar", "blir", "e",
        "snalla", "hallo", "halla", "tja", "tjena", "god", "tack", "aj", "oj", "usch", "dessvarre", "absolut", "da",
        "sa", "alla", "ingen", "nagon", "nan", "sen", "dar", "vad", "varfor", "vilken", "vilket", "om", "eller", "vart",
        "mina", "vara", "hmm", "oops", "fan", "shit", "fast", "annars", "dessutom", "jaha", "aha", "so", "well",
        "na", "nae", "alltsa", "assa", "typ", "javisst", "visst", "haha", "hallaa", "mm", "ah",
        "we", "it", "this", "that", "there", "what", "who", "how", "sry", "sorri", "btw", "obs", "ps",
        "barnet", "barnen", "dottern", "sonen", "ungen", "ungarna", "bilen", "bussen", "taget", "vagen", "vagarna",
    }
)  # fmt: skip
_SOMEONE_ELSE = re.compile(
    r"^(?:(?:hej|hejsan|hallo|halla|tja)[,!]?\s+)?(han|hon|hen|dom|de|(?:min|mina|var|vara|hans|hennes) (?:kollega|kollegor|medledare|rektor|chef|elev|elever|vikarie)\w*(?: [a-z]+)?"
    r"|(?:kollegan|rektorn|vikarien|chefen)(?: [a-z]+)?|[a-z]+ och [a-z]+|(?P<name>[a-z]+))(?: (?:pa|fran|i|hos) [a-z]+(?: [a-z]+)?)?"
    r"\s+(kan|kommer|kmr|blir|ar|e|missar|ska|vill|har|vabbar|maste|can'?t|cannot|won'?t|will|is|wants)\b"
    r"|\b(franvaro|anmal\w*|byt\w*) (for|at|till) (?P<for>[a-z]+)\b(?! (traff|mote|lag|amneslag))"
    r"|\b(he|she|they|my colleague) (can'?t|cannot|won'?t|will|is|wants)\b"
    r"|^(hans|hennes|deras|his|her|their) (franvaro|absence|anmalan|val|lagval)\b"
)
# A sentence whose subject is a pronoun or someone's role is about someone else, whatever it asks for.
_OTHER_SUBJECT = re.compile(
    r"^(?:(?:hej|hejsan|hallo|halla|tja)[,!]?\s+)?(han|hon|hen|dom|de|(?:min|mina|var|vara|hans|hennes) (?:kollega|kollegor"
    r"|medledare|rektor|chef|elev|elever|vikarie)\w*(?: [a-z]+)?|(?:kollegan|rektorn|vikarien|chefen)(?: [a-z]+)?)"
    r"\s+(kan|kommer|kmr|blir|ar|e|missar|ska|vill|har|vabbar|maste|undrar|behover|tycker|can'?t|cannot|won'?t|will|is|wants)\b"
    r"|^(hans|hennes|deras|his|her|their) (franvaro|absence|anmalan|val|lagval)\b"
)


def small_talk_kind(text: str) -> str | None:
    """ "thanks", "bye", "hello" or "ok" for small talk ("tack!", "hej då", "hej", 👍), else None."""
    stripped = re.sub(r"[^\w\s:)'-]", " ", clean(text)).strip(" -'")
    stripped = " ".join(stripped.split())
    if not stripped:
        symbols = [ch for ch in text if not ch.isspace()]
        return "ok" if symbols and any(unicodedata.category(ch)[0] == "S" for ch in symbols) else None
    return next((kind for kind, pattern in _SMALL_TALK.items() if pattern.match(stripped)), None)


def _someone_else(text: str, folded: str, teams: Sequence[str], places: Sequence[str]) -> bool:
    """Whether a request is about someone other than the sender ("Stina kan inte komma", "frånvaro för Per")."""
    m = _SOMEONE_ELSE.search(folded)
    if m is None:
        return False
    name = m.group("name") or m.group("for")
    if name is None:
        return True
    known = {fold(w) for w in (*teams, *places)} | set(_MONTHS) | set(_WEEKDAYS) | _SELF_WORDS
    if name in known or find_team(name, teams) or name.startswith(("traff", "mote", "idag", "imorgon", "nasta")):
        return False
    if m.group("for"):  # "frånvaro för Per": a name is written with a capital letter
        return any(fold(word) == name and word[:1].isupper() for word in re.findall(r"\w+", text))
    return len(name) >= 2


_CHOICE = re.compile(
    r"\b(nasta (las)?ar|next year|till hosten|istallet|mitt val|(jag|ja) (valjer|tar)|for mig|for me|vill (till|in|va|vara)"
    r"|anslut\w*|(satt|satta|lagg till|lagga till) mig|(vara|va|ga) med|move to|i want|tack|pls|please)\b"
)
# Things beyond the bot (timetables, pay, pupils, lessons, terms, keys) in a text that names nothing the bot does: not
# understood, and not guessed at by the classifier either ("kan du göra schemat för vårterminen", "lönesamtal med personalen").
_BEYOND = re.compile(
    r"\b(schema\w*|lon|lonen|lonesamtal\w*|hr|salary|vartermin\w*|hosttermin\w*|terminsstart\w*|elevkonsert\w*|jullov\w*|sportlov\w*"
    r"|lektion\w*|elev|elever|eleverna|elevens|elevernas|lunch\w*|parkering\w*|nyckel\w*|nycklar\w*|losenord\w*|password"
    r"|personalfest\w*|hotell\w*|tvattstug\w*|restaurang\w*|strangar|pianostamning\w*|semesterdag\w*)\b"
)
_DOMAIN = re.compile(
    r"(traff|mote|motet|meeting|amneslag|\blag(et|en|val\w*)?\b|franvar|aterbud|anteckning|protokoll|natverksdag|network|ramverk"
    r"|\bramar|kallelse|ledare|narvaro|kostnad|kostade|\bkr\b|kronor|fika|dagordning|agenda|punkt|gdpr|uppgifter|\bteam|notes|absen"
    r"|\bsjuk|\bvab|\bkommer\b|\bkmr\b|\bkomma\b|\bdelta|\bborta\b|\bledig|kan (inte|ej)|missar|\bhelp\b|hjalp)"
)
_ABOUT_ONESELF = frozenset({"report_absence", "withdraw_absence", "choose_team"})  # not for someone else
_ALL = re.compile(r"\b(alla|allihop|samtliga|all|everyone|everybody)\b")


def rules(text: str, *, teams: Sequence[str]) -> Parsed:
    """The rules' intent alone (no slots): small talk, how-to, negation, the intent rules, someone else's."""
    folded = clean(text)
    if not folded.strip():
        return Parsed("unknown")
    if _RULES[0][1].search(folded):
        return Parsed("cancel")
    if small_talk_kind(text):
        return Parsed("small_talk")
    if _HOW_TO.search(folded):
        return Parsed("help")
    if _NEGATED.search(folded):
        return Parsed("unknown", note="negated")
    if _beyond(folded):
        return Parsed("unknown")
    intent = next((name for name, pattern in _RULES if pattern.search(folded)), "unknown")
    if intent == "unknown" and _CHOICE.search(folded) and find_team(folded, teams):
        intent = "choose_team"
    if (
        intent in _ABOUT_ONESELF
        and _someone_else(text, folded, teams, ())
        or intent != "unknown"
        and _OTHER_SUBJECT.search(folded)
    ):
        return Parsed("unknown", note="someone_else")
    return Parsed(intent)


def _beyond(folded: str) -> bool:
    return _BEYOND.search(folded) is not None and _DOMAIN.search(folded) is None


_INTO = re.compile(r"\b(till|i|in|to|into)\b")


def _target_team(folded: str, teams: Sequence[str]) -> str | None:
    """The team one asks to join: the last named after "till"/"i" ("byta från Stråk till Sång" is Sång)."""
    for m in reversed(list(_INTO.finditer(folded))):
        if team := find_team(folded[m.end() :], teams):
            return team
    return None


def slots_of(text: str, intent: str, *, today: dtm.date, teams: Sequence[str], places: Sequence[str]) -> dict[str, str]:
    """The slots `text` names for `intent` (none for help, small talk, cancel and unknown)."""
    if intent in UNSLOTTED:
        return {}
    folded = clean(text)
    slots: dict[str, str] = {}
    if team := (_target_team(folded, teams) if intent == "choose_team" else None) or find_team(folded, teams):
        slots["team"] = team
    if day := find_date(folded, today, forward=intent in FORWARD):
        slots["date"] = day.isoformat()
    if kind := find_kind(folded):
        slots["kind"] = kind
    if place := find_place(folded, places):
        slots["place"] = place
    if time := find_time(folded):
        slots["time"] = time
    if "date" not in slots and _NEXT_MEETING.search(folded) and intent not in ("upcoming_meetings", "schedule_meeting"):
        slots["meeting"] = "next"
    if intent == "confirm_memberships" and _ALL.search(folded):
        slots["scope"] = "all"
    return slots


def parse(
    text: str, *, today: dtm.date, teams: Sequence[str], places: Sequence[str] = (), classifier: bool = True
) -> Parsed:
    """Intent and slots of `text` (see the module docstring). With `classifier`, text the rules find no intent
    in goes to the statistical classifier (`dialogs.classifier`), which answers only when it is sure."""
    found = rules(text, teams=teams)
    if (
        found.intent == "unknown"
        and found.note is None
        and classifier
        and clean(text).strip()
        and not _beyond(clean(text))
    ):
        from dialogs.classifier import classify  # lazily: only text the rules do not understand needs it

        guess = classify(clean(text))
        if guess is not None and not (guess in _ABOUT_ONESELF and _someone_else(text, clean(text), teams, ())):
            found = Parsed(guess, source="classifier")
    slots = slots_of(text, found.intent, today=today, teams=teams, places=places)
    return Parsed(found.intent, slots, note=found.note, source=found.source)
