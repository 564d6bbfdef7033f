"""The quarterly learning contract (seed 004, with seed 000's why), in Dutch and English: the
five questions as one form, SMART feedback once, versions per quarter of the local calendar,
the previous contract shown next quarter, and sharing with the steady colleague only after
an explicit yes (who then reads it and responds, and the author hears the response)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from adapters.terminal import TerminalChat
from bot.conversation.coach import Coach
from bot.core.messages import Address, Form, InboundEvent, Message, Outbound, Question
from bot.learning_record.periods import quarter_of
from bot.practices.contract.hooks import smart_check
from bot.privacy.export import export_person, find_person
from bot.storage.models import ContractResponse, Dialog, Goal, LearningContract, Team, TeamMember
from tests.conftest import Clock, joined
from tests.rigs.records import meet

LOCALES = pytest.mark.parametrize("locale", ["nl", "en"])
WORDS = {
    "nl": {"contract": "contract", "yes": "ja", "no": "nee", "skip": "overslaan",
           "colleague": "contract collega", "stop": "stop", "diary": "dagboek"},
    "en": {"contract": "contract", "yes": "yes", "no": "no", "skip": "skip",
           "colleague": "colleague contract", "stop": "stop", "diary": "diary"},
}
SAYS: dict[str, dict[str, str]] = {
    "nl": {
        "intro": "Tijd voor je leercontract voor Q2 2026",
        "form": "Je leercontract in vijf vragen",
        "came_from": "Waar kom je vandaan?",
        "smart": "Nog even over vraag 3 en 5",
        "measurable": "Waaraan zie jij, of een ander, dat het gelukt is?",
        "timed": "Wanneer kijk je of het gelukt is?",
        "competences": "In welke competenties wil je je de komende drie maanden ontwikkelen?",
        "too_many": "Dat zijn er meer dan drie",
        "why_business": "Wat draagt je doel bij aan het resultaat van je organisatie?",
        "why_team": "Wat levert het je team op?",
        "why_personal": "En wat betekent het voor jezelf?",
        "goal_link": "Hoort je doel bij een van deze doelen van je team of organisatie?",
        "no_goal": "Nee, bij geen van deze",
        "share": "Zal ik je leercontract delen met je vaste collega?",
        "saved": "Je leercontract voor {} is bewaard",
        "version": "als versie {}",
        "revision": "Dit wordt versie {}",
        "earlier_goal": "In versie 1 schreef je als doel: “{}”",
        "previous": "In je vorige leercontract (Q2 2026) wilde je dit bereiken:",
        "previous_evidence": "Zo zou je merken dat het gelukt was: “{}”",
        "shared": "Ik heb het met Bob gedeeld",
        "pending": "Je toestemming heb ik bewaard, maar Bob is nu met iets anders bezig",
        "declined": "Prima, dan houd ik het voor jezelf.",
        "no_colleague": "Bespreek je contract gerust met een collega",
        "colleague_intro": "Alice deelde het leercontract voor Q2 2026",
        "response": "Wat wil je erop terugzeggen?",
        "passed_on": "Ik heb je reactie aan Alice doorgegeven.",
        "vice_versa": "deel jij jouw leercontract ook met Alice?",
        "to_author": "Bob heeft je leercontract voor Q2 2026 gelezen en reageert:",
        "nothing_waiting": "Er staat op dit moment geen leercontract voor je klaar",
        "use_form": "Deze vraag heeft een formulier",
        "form_required": "Wil je dit veld nog invullen?",
    },
    "en": {
        "intro": "Time for your learning contract for Q2 2026",
        "form": "Your learning contract in five questions",
        "came_from": "Where do you come from?",
        "smart": "One more look at questions 3 and 5",
        "measurable": "What will you, or someone else, see when you have succeeded?",
        "timed": "When will you check whether you got there?",
        "competences": "Which competences do you want to develop over the next three months?",
        "too_many": "That is more than three",
        "why_business": "How does your goal contribute to your organisation's results?",
        "why_team": "What does it bring your team?",
        "why_personal": "And what does it mean for you?",
        "goal_link": "Does your goal belong to one of these goals of your team or organisation?",
        "no_goal": "No, none of these",
        "share": "Shall I share your learning contract with your steady colleague?",
        "saved": "Your learning contract for {} is saved",
        "version": "as version {}",
        "revision": "This will be version {}",
        "earlier_goal": "In version 1 your goal was: “{}”",
        "previous": "In your previous learning contract (Q2 2026) you wanted to achieve this:",
        "previous_evidence": "This is how you would know you got there: “{}”",
        "shared": "I have shared it with Bob",
        "pending": "I have kept your consent, but Bob is busy with something else right now",
        "declined": "Fine, I will keep it to yourself.",
        "no_colleague": "Feel free to discuss your contract with a colleague",
        "colleague_intro": "Alice shared their learning contract for Q2 2026",
        "response": "What would you like to say back?",
        "passed_on": "I have passed your response on to Alice.",
        "vice_versa": "will you share your learning contract with Alice too?",
        "to_author": "Bob has read your learning contract for Q2 2026 and responds:",
        "nothing_waiting": "There is no learning contract waiting for your response",
        "use_form": "This question has a form",
        "form_required": "Could you still fill in this field?",
    },
}

SMART = "Eind maart heb ik 3 klantgesprekken geleid en twee collega's gaven feedback."
VAGUE = "Ik voel me zekerder."
# goals specific enough for the SMART review (a bare "Eerste doel." is not)
FIRST_GOAL = "Eerste doel: zelf gesprekken leiden."
SHARPER_GOAL = "Scherper doel: zelf drie gesprekken leiden."


def answers_of(goal: str = "Zelf klantgesprekken leiden.", evidence: str = SMART) -> dict[str, str]:
    return {
        "came_from": "Vorig kwartaal leerde ik vooral luisteren.",
        "now": "Ik werk aan de servicedesk en wil meer klantcontact.",
        "goal": goal,
        "approach": "Elke week één gesprek voorbereiden met mijn collega.",
        "evidence": evidence,
    }


pytestmark = pytest.mark.usefixtures("no_failed_turns")


# -- helpers ---------------------------------------------------------------------------------


class Person:
    """Someone talking to the engine; messages for others (a shared contract) are kept apart."""

    def __init__(self, engine: Coach, user: str) -> None:
        self.engine = engine
        self.address = Address("test", "acme", user, f"dm-{user}")
        self.others: list[Outbound] = []

    def send(self, **fields: object) -> list[Message]:
        out = self.engine.handle(InboundEvent(address=self.address, **fields))  # type: ignore[arg-type]
        self.others = [o for o in out if o.address != self.address]
        return [o.message for o in out if o.address == self.address]

    def say(self, text: str) -> list[Message]:
        return self.send(text=text)

    def fill(self, form: Form, values: dict[str, str]) -> list[Message]:
        return self.send(form=values, reply_to=form.ref)

    def to(self, other: Person) -> list[Message]:
        return [o.message for o in self.others if o.address == other.address]


def pair(database: Engine, author_id: int, colleague_id: int, mutual: bool = True) -> None:
    with Session(database) as session, session.begin():
        find_person(session, f"#{author_id}").steady_colleague_id = colleague_id
        if mutual:
            find_person(session, f"#{colleague_id}").steady_colleague_id = author_id


def form_in(messages: list[Message]) -> Form:
    forms = [m for m in messages if isinstance(m, Form)]
    assert len(forms) == 1, messages
    return forms[0]


def question(messages: list[Message]) -> Question:
    found = [m for m in messages if isinstance(m, Question)]
    assert len(found) == 1, messages
    return found[0]


def contracts(database: Engine) -> list[LearningContract]:
    with Session(database) as session:
        return list(
            session.scalars(select(LearningContract).order_by(LearningContract.id))
        )


def responses(database: Engine) -> list[ContractResponse]:
    with Session(database) as session:
        return list(session.scalars(select(ContractResponse).order_by(ContractResponse.id)))


def active_flow(database: Engine, person_id: int) -> str | None:
    with Session(database) as session:
        dialog = session.scalar(
            select(Dialog).where(Dialog.person_id == person_id, Dialog.status == "active")
        )
        return dialog.flow_id if dialog else None


def write_contract(
    person: Person, locale: str, *, values: dict[str, str] | None = None, share: str | None = None
) -> str:
    """Run the whole contract flow with ordinary answers; returns the closing text."""
    words = WORDS[locale]
    opening = person.say(words["contract"])
    after_form = person.fill(form_in(opening), values or answers_of())
    assert SAYS[locale]["competences"] in joined(after_form)
    person.say("1, 2")
    person.say("Betere service, dus minder klachten.")
    person.say("Het team hoeft minder vaak bij te springen.")
    last = person.say("Ik durf meer.")
    if share is not None:
        assert SAYS[locale]["share"] in joined(last)
        last = person.say(share)
    return joined(last)


# -- the flow, start to end ------------------------------------------------------------------


@LOCALES
def test_a_contract_from_start_to_end_without_a_colleague(
    locale: str, engine: Coach, clock: Clock, database: Engine
) -> None:
    says, words = SAYS[locale], WORDS[locale]
    alice = Person(engine, "alice")
    alice_id = meet(engine, alice, database, clock, locale, "Alice Jansen")
    with Session(database) as session, session.begin():
        organisation_id = find_person(session, "alice").organisation_id
        team = Team(organisation_id=organisation_id, name="Servicedesk")
        session.add(team)
        session.flush()
        session.add(TeamMember(team_id=team.id, person_id=alice_id))
        other_team = Team(organisation_id=organisation_id, name="Sales")
        session.add(other_team)
        session.flush()
        session.add_all([
            Goal(organisation_id=organisation_id, team_id=team.id, level="team",
                 title="Klanttevredenheid naar een 8", period="2026-Q1"),
            Goal(organisation_id=organisation_id, level="business", title="Minder klachten"),
            Goal(organisation_id=organisation_id, team_id=other_team.id, level="team",
                 title="Meer omzet"),
            Goal(organisation_id=organisation_id, level="business", title="Oud doel",
                 active=False),
        ])

    opening = alice.say(words["contract"])
    assert says["intro"] in joined(opening)
    assert says["previous"] not in joined(opening)
    form = form_in(opening)
    assert form.title == says["form"]
    assert [f.name for f in form.fields] == ["came_from", "now", "goal", "approach", "evidence"]
    assert all(f.multiline and f.required for f in form.fields)
    assert says["came_from"] in form.fields[0].label

    reply = alice.fill(form, answers_of())
    assert says["smart"] not in joined(reply)  # measurable and timed: no feedback
    assert says["competences"] in question(reply).text
    assert says["too_many"] in joined(alice.say("1, 2, 3, 4"))  # at most three
    assert says["why_business"] in joined(alice.say("1, 2"))
    assert says["why_team"] in joined(alice.say("Betere service, dus minder klachten."))
    assert says["why_personal"] in joined(alice.say(words["skip"]))
    goals = question(alice.say("Ik durf meer en groei als adviseur."))
    assert says["goal_link"] in goals.text
    labels = [choice.label for choice in goals.choices]
    # The organisation's own goals and those of her team, active ones only; then "none".
    assert labels == ["Minder klachten", "Klanttevredenheid naar een 8 (Servicedesk, 2026-Q1)",
                      says["no_goal"]]
    closing = joined(alice.say("2"))

    assert says["share"] not in closing  # no steady colleague: no sharing question
    assert says["saved"].format("Q2 2026") in closing
    assert says["version"].format(1) not in closing
    assert says["no_colleague"] in closing
    assert "Klanttevredenheid naar een 8" in closing
    [contract] = contracts(database)
    assert (contract.person_id, contract.quarter, contract.version) == (alice_id, "2026-Q2", 1)
    assert contract.goal == "Zelf klantgesprekken leiden."
    assert contract.evidence == SMART
    assert contract.measurable is True  # the SMART verdict, kept for the dashboard
    assert contract.came_from and contract.now and contract.approach
    assert contract.competences == ["reflecteren", "eigen-ontwikkeling"]
    assert contract.why_business == "Betere service, dus minder klachten."
    assert contract.why_team is None  # skipped
    assert contract.why_personal == "Ik durf meer en groei als adviseur."
    assert contract.goal_id is not None
    assert (contract.share_consent, contract.shared_with_id, contract.shared_at) == (
        False, None, None
    )
    assert active_flow(database, alice_id) is None
    # The right of access shows every answer.
    with Session(database) as session:
        exported = export_person(session, find_person(session, "alice"))
    assert exported["learning_contracts"][0]["goal"] == "Zelf klantgesprekken leiden."
    assert exported["learning_contracts"][0]["measurable"] is True


@LOCALES
def test_smart_feedback_is_given_once_and_the_next_form_is_accepted(
    locale: str, engine: Coach, clock: Clock, database: Engine
) -> None:
    says, words = SAYS[locale], WORDS[locale]
    alice = Person(engine, "alice")
    alice_id = meet(engine, alice, database, clock, locale, "Alice")
    form = form_in(alice.say(words["contract"]))

    feedback = joined(alice.fill(form, answers_of(evidence=VAGUE)))
    assert says["smart"] in feedback
    assert says["measurable"] in feedback and says["timed"] in feedback
    assert active_flow(database, alice_id) == "contract"

    # Still vague: accepted as it is; no nagging.
    reply = alice.fill(form, answers_of(evidence=VAGUE + " Echt."))
    assert says["smart"] not in joined(reply)
    assert says["competences"] in joined(reply)
    alice.say("1")
    for _ in range(3):
        alice.say(words["skip"])
    [contract] = contracts(database)
    assert contract.evidence == VAGUE + " Echt."
    assert contract.measurable is False


def test_the_smart_check_asks_only_for_what_is_missing(
    engine: Coach, clock: Clock, database: Engine
) -> None:
    assert smart_check(SMART) == {"measurable": True, "timed": True}
    # "vaker" says no how much: not measurable without a count (it used to pass)
    assert smart_check("Ik krijg vaker feedback") == {"measurable": False, "timed": False}
    assert smart_check("Ik krijg in elk gesprek feedback") == {"measurable": True,
                                                               "timed": True}
    assert smart_check("Als het lukt leid ik 3 overleggen") == {"measurable": True,
                                                                "timed": False}
    assert smart_check("By the end of June I chair meetings") == {
        "measurable": False, "timed": True
    }
    alice = Person(engine, "alice")
    meet(engine, alice, database, clock, "nl", "Alice")
    form = form_in(alice.say("contract"))
    feedback = joined(alice.fill(form, answers_of(evidence="Ik vraag drie collega's om feedback.")))
    assert SAYS["nl"]["timed"] in feedback
    assert SAYS["nl"]["measurable"] not in feedback


@LOCALES
def test_an_incomplete_form_or_typed_text_keeps_the_questions_open(
    locale: str, engine: Coach, clock: Clock, database: Engine
) -> None:
    says, words = SAYS[locale], WORDS[locale]
    alice = Person(engine, "alice")
    alice_id = meet(engine, alice, database, clock, locale, "Alice")
    form = form_in(alice.say(words["contract"]))

    reply = alice.fill(form, {**answers_of(), "goal": "  "})
    again = form_in(reply)
    goal_field = next(f for f in again.fields if f.name == "goal")
    assert goal_field.error and says["form_required"] in goal_field.error
    assert next(f for f in again.fields if f.name == "now").value == answers_of()["now"]

    typed = alice.say("Ik wil beter worden in gesprekken")
    assert says["use_form"] in joined(typed)
    assert isinstance(typed[-1], Form)
    assert active_flow(database, alice_id) == "contract"
    assert contracts(database) == []


# -- versions and quarters -------------------------------------------------------------------


@LOCALES
def test_a_second_contract_in_a_quarter_is_a_new_version_and_next_quarter_looks_back(
    locale: str, engine: Coach, clock: Clock, database: Engine
) -> None:
    says, words = SAYS[locale], WORDS[locale]
    alice = Person(engine, "alice")
    alice_id = meet(engine, alice, database, clock, locale, "Alice")
    write_contract(alice, locale, values=answers_of(goal=FIRST_GOAL))

    clock.advance(days=7)
    opening = joined(alice.say(words["contract"]))
    assert says["revision"].format(2) in opening
    assert says["earlier_goal"].format(FIRST_GOAL) in opening
    alice.say(words["stop"])
    form = form_in(alice.say(words["contract"]))
    alice.fill(form, answers_of(goal=SHARPER_GOAL))
    alice.say("1")
    alice.say(words["skip"])
    alice.say(words["skip"])
    closing = joined(alice.say(words["skip"]))
    assert says["saved"].format("Q2 2026") in closing
    assert says["version"].format(2) in closing

    stored = contracts(database)
    assert [(c.quarter, c.version, c.goal) for c in stored] == [
        ("2026-Q2", 1, FIRST_GOAL),
        ("2026-Q2", 2, SHARPER_GOAL),
    ]

    # The next quarter starts by looking back on the latest version of the last one.
    clock.now = datetime(2026, 7, 8, 9, 0, tzinfo=UTC)
    opening = joined(alice.say(words["contract"]))
    assert says["previous"] in opening
    assert f"“{SHARPER_GOAL}”" in opening and FIRST_GOAL not in opening
    assert says["previous_evidence"].format(SMART) in opening
    assert says["revision"].format(2) not in opening
    alice.say(words["stop"])
    form = form_in(alice.say(words["contract"]))
    alice.fill(form, answers_of(goal="Nieuw kwartaal: zelf een klantoverleg voorzitten."))
    alice.say("1")
    for _ in range(3):
        alice.say(words["skip"])
    assert [(c.quarter, c.version) for c in contracts(database)][-1] == ("2026-Q3", 1)
    assert active_flow(database, alice_id) is None


def test_the_quarter_follows_the_persons_local_calendar(
    engine: Coach, clock: Clock, database: Engine
) -> None:
    # 28 February 23:30 UTC is already 1 March in Amsterdam: the quarter's last month there,
    # so the contract plans the second quarter.
    clock.now = datetime(2026, 2, 28, 23, 30, tzinfo=UTC)
    alice = Person(engine, "alice")
    meet(engine, alice, database, clock, "nl", "Alice")
    write_contract(alice, "nl")
    assert contracts(database)[0].quarter == "2026-Q2"
    assert quarter_of(datetime(2026, 12, 31).date()) == "2026-Q4"


def test_a_contract_stopped_after_the_form_is_kept_but_not_shared(
    engine: Coach, clock: Clock, database: Engine
) -> None:
    alice, bob = Person(engine, "alice"), Person(engine, "bob")
    alice_id = meet(engine, alice, database, clock, "nl", "Alice")
    bob_id = meet(engine, bob, database, clock, "nl", "Bob")
    pair(database, alice_id, bob_id)
    alice.fill(form_in(alice.say("contract")), answers_of())
    alice.say("stop")
    [contract] = contracts(database)
    assert contract.goal == "Zelf klantgesprekken leiden." and contract.competences == []
    assert (contract.share_consent, contract.shared_with_id) == (False, None)
    assert active_flow(database, bob_id) is None


# -- sharing with the steady colleague -------------------------------------------------------


@LOCALES
def test_with_consent_the_colleague_reads_and_responds_and_the_author_hears_it(
    locale: str, engine: Coach, clock: Clock, database: Engine
) -> None:
    says, words = SAYS[locale], WORDS[locale]
    alice, bob = Person(engine, "alice"), Person(engine, "bob")
    alice_id = meet(engine, alice, database, clock, locale, "Alice Jansen")
    bob_id = meet(engine, bob, database, clock, locale, "Bob de Vries")
    pair(database, alice_id, bob_id)

    closing = write_contract(alice, locale, share=words["yes"])
    assert says["shared"] in closing
    for_bob = joined(alice.to(bob))
    assert says["colleague_intro"] in for_bob
    assert "Zelf klantgesprekken leiden." in for_bob and SMART in for_bob
    assert says["response"] in for_bob
    [contract] = contracts(database)
    assert (contract.share_consent, contract.shared_with_id) == (True, bob_id)
    assert contract.shared_at == clock.now
    assert active_flow(database, bob_id) == "contract_response"

    clock.advance(hours=2)
    reply = joined(bob.say("Mooi doel! Hoe ga je die gesprekken voorbereiden?"))
    assert says["passed_on"] in reply
    assert says["vice_versa"] in reply  # and vice versa
    told = joined(bob.to(alice))
    assert says["to_author"] in told
    assert "Hoe ga je die gesprekken voorbereiden?" in told
    [response] = responses(database)
    assert (response.contract_id, response.responder_id) == (contract.id, bob_id)
    assert response.response == "Mooi doel! Hoe ga je die gesprekken voorbereiden?"
    assert active_flow(database, bob_id) is None
    # Nothing else is waiting for Bob now.
    assert SAYS[locale]["nothing_waiting"] in joined(bob.say(words["colleague"]))


def test_the_colleague_reads_in_their_own_language(
    engine: Coach, clock: Clock, database: Engine
) -> None:
    alice, bob = Person(engine, "alice"), Person(engine, "bob")
    alice_id = meet(engine, alice, database, clock, "nl", "Alice")
    bob_id = meet(engine, bob, database, clock, "en", "Bob")
    pair(database, alice_id, bob_id)
    write_contract(alice, "nl", share="ja")
    assert SAYS["en"]["colleague_intro"] in joined(alice.to(bob))
    bob.say("What will you do first?")
    assert SAYS["nl"]["to_author"] in joined(bob.to(alice))


@LOCALES
def test_without_consent_nothing_is_shared(
    locale: str, engine: Coach, clock: Clock, database: Engine
) -> None:
    says, words = SAYS[locale], WORDS[locale]
    alice, bob = Person(engine, "alice"), Person(engine, "bob")
    alice_id = meet(engine, alice, database, clock, locale, "Alice")
    bob_id = meet(engine, bob, database, clock, locale, "Bob")
    pair(database, alice_id, bob_id)

    closing = write_contract(alice, locale, share=words["no"])
    assert says["declined"] in closing
    assert alice.others == []
    [contract] = contracts(database)
    assert (contract.share_consent, contract.shared_with_id, contract.shared_at) == (
        False, None, None
    )
    assert active_flow(database, bob_id) is None
    assert says["nothing_waiting"] in joined(bob.say(words["colleague"]))


@LOCALES
def test_a_busy_colleague_sees_the_contract_when_they_ask(
    locale: str, engine: Coach, clock: Clock, database: Engine
) -> None:
    says, words = SAYS[locale], WORDS[locale]
    alice, bob = Person(engine, "alice"), Person(engine, "bob")
    alice_id = meet(engine, alice, database, clock, locale, "Alice")
    bob_id = meet(engine, bob, database, clock, locale, "Bob")
    pair(database, alice_id, bob_id, mutual=False)
    bob.say(words["diary"])  # Bob is in the middle of his diary

    closing = write_contract(alice, locale, share=words["yes"])
    assert says["pending"] in closing
    assert alice.others == []
    assert active_flow(database, bob_id) == "diary"
    [contract] = contracts(database)
    assert (contract.share_consent, contract.shared_with_id, contract.shared_at) == (
        True, bob_id, None
    )

    clock.advance(minutes=30)
    shown = joined(bob.say(words["colleague"]))  # sets the diary aside
    assert says["colleague_intro"] in shown
    assert contracts(database)[0].shared_at == clock.now
    reply = joined(bob.say("Waar begin je mee?"))
    assert says["passed_on"] in reply
    assert says["vice_versa"] not in reply  # Alice is not Bob's steady colleague
    assert says["to_author"] in joined(bob.to(alice))
    assert [r.responder_id for r in responses(database)] == [bob_id]


def test_a_colleague_on_a_pause_is_not_disturbed(
    engine: Coach, clock: Clock, database: Engine
) -> None:
    alice, bob = Person(engine, "alice"), Person(engine, "bob")
    alice_id = meet(engine, alice, database, clock, "nl", "Alice")
    bob_id = meet(engine, bob, database, clock, "nl", "Bob")
    pair(database, alice_id, bob_id)
    with Session(database) as session, session.begin():
        find_person(session, "bob").paused_until = date(2026, 4, 1)
    closing = write_contract(alice, "nl", share="ja")
    assert "maar Bob is nu even met pauze" in closing
    assert alice.others == []
    assert active_flow(database, bob_id) is None
    [contract] = contracts(database)
    assert (contract.share_consent, contract.shared_with_id, contract.shared_at) == (
        True, bob_id, None
    )


def test_only_the_latest_version_waits_for_a_response(
    engine: Coach, clock: Clock, database: Engine
) -> None:
    alice, bob = Person(engine, "alice"), Person(engine, "bob")
    alice_id = meet(engine, alice, database, clock, "nl", "Alice")
    bob_id = meet(engine, bob, database, clock, "nl", "Bob")
    pair(database, alice_id, bob_id)
    bob.say("dagboek")
    write_contract(alice, "nl", values=answers_of(goal="Versie een."), share="ja")
    write_contract(alice, "nl", values=answers_of(goal="Versie twee."), share="ja")
    bob.say("stop")
    shown = joined(bob.say("contract collega"))
    assert "Versie twee." in shown and "Versie een." not in shown
    bob.say("Top.")
    assert SAYS["nl"]["nothing_waiting"] in joined(bob.say("contract collega"))


def test_no_steady_colleague_means_no_sharing_question(
    engine: Coach, clock: Clock, database: Engine
) -> None:
    alice = Person(engine, "alice")
    meet(engine, alice, database, clock, "nl", "Alice")
    closing = write_contract(alice, "nl")
    assert SAYS["nl"]["share"] not in closing
    assert alice.others == []


# -- in the terminal -------------------------------------------------------------------------


def test_the_contract_runs_to_the_end_in_the_terminal(
    engine: Coach, clock: Clock, database: Engine
) -> None:
    output = io.StringIO()
    terminal = TerminalChat(engine, "carla", output)
    engine.set_locale(terminal.address, "en")
    with Session(database) as session, session.begin():
        person = find_person(session, "carla")
        person.onboarded_at = person.onboarding_offered_at = clock.now
    lines = iter([
        "contract",
        # the form, one field per line, then the answers numbered: "2" corrects one field,
        # an empty line sends; the vague last answer gets feedback once
        "I learned to listen.", "Service desk, want more client contact.",
        "Lead client meetings myself.", "Prepare one meeting a week.", "I feel more sure.",
        "2", "Service desk; I want more client contact.", "",
        "ok",  # the form is shown again with the answers kept: only field 5 is retyped
        "5", "By the end of June I have led 5 client meetings.", "",
        "1", "Fewer complaints.", "skip", "I grow as an adviser.",
    ])
    terminal.run(lines)
    text = output.getvalue()
    assert SAYS["en"]["smart"] in text
    assert "  2) 2. Where are you now?" in text and "Press Enter to send" in text
    assert SAYS["en"]["saved"].format("Q2 2026") in text
    [contract] = contracts(database)
    assert contract.evidence == "By the end of June I have led 5 client meetings."
    assert contract.now == "Service desk; I want more client contact."
    assert contract.came_from == "I learned to listen."
