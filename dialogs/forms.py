"""Forms: a dialog that fills a draft one slot at a time, checks it, previews it and saves it.

A form is declared, not programmed: its slots (the question each asks, with buttons or a typed answer,
the parser of that answer, which slots a change clears), a check of the whole draft, a preview and a
save. The form does what every such dialog shares, so no dialog writes it again:

- asks for the first slot still missing, and waits for the answer (the draft travels in the waiting
  step's data and in every button, so a restart loses nothing and nothing is kept in memory; an answer
  too large for a button, such as the notes, is saved in the database at once and `load`ed from there);
- reads a submitted form (a Teams card or a Slack modal) into the slot that asked for it (`accept`);
- tells an answer from a new request: a typed text the slot cannot read is a new request when the rules
  understood it as one, and otherwise the slot is asked again with the reason;
- "avbryt"/"cancel" at any step (the engine's);
- when the draft is complete, checks it: a problem clears the slots it concerns and asks for them again
  with the reason; then shows the preview with "save" and "start again";
- saves only through the guarded save action, which checks the draft once more.

BotBuilder's WaterfallDialog with prompt validators and python-telegram-bot's ConversationHandler are
the models; ours keeps its state in the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dialogs.engine import Guard, Router, Turn, Values
from dialogs.names import Act
from dialogs.types import Button, ChoicesReply, FormField, FormReply, Reply, TextReply

Draft = dict[str, Any]


@dataclass(frozen=True)
class Invalid:
    """A typed answer the slot read but cannot take; `reason` is said before the question is asked again."""

    reason: str


@dataclass(frozen=True)
class Question:
    """What a slot asks: a text, and buttons (each a label and the draft values it sets) or the fields of a
    form (a Teams card or a Slack modal; its submit sets the fields' values). Where a channel has no forms
    the text says what to write instead."""

    text: str
    choices: Sequence[tuple[str, Draft]] = ()
    fields: Sequence[FormField] = ()
    title: str = ""  # the form's title
    submit: str = ""  # the form's submit button
    short_title: str = ""  # the title in a few words (a Slack modal's title holds 24 characters)
    inline: bool = False  # the fields are pickers beside the buttons (a `ChoicesReply`), not a form of their own
    picker: str = ""  # the choice that asks the inline fields in a form of its own ("Another date…")


Parser = Callable[[Turn, str, Draft], "Draft | Invalid | Question | None"]
Acceptor = Callable[[Turn, Values, Draft], tuple[Draft, str | None]]
Problems = Callable[[Turn, Values, Draft], dict[str, str]]


@dataclass(frozen=True)
class Slot:
    """One thing the form asks for.

    - `keys`: the draft keys the slot fills; all must be there for it to count as answered.
    - `ask`: the question. `parse`: reads a typed answer into draft values, or `Invalid` (asked again with
      the reason, unless the text is a request of its own), or a narrower `Question` ("Whom do you mean?"),
      or None for "that is not an answer"; a slot without a parser takes buttons only.
    - `needed`: whether the draft needs the slot at all. `clears`: the keys a change of this slot makes stale.
    - `free_text`: any text but "cancel" reaches the parser (a place, a link); otherwise only text the rules
      did not understand does.
    - `accept`: reads the fields of the slot's submitted form (`submitted` names them) and gives the draft
      values it sets and, when something was wrong, the reason to say before going on.
    - `problems`: the fields of the slot's submitted form that cannot be taken, each with the reason, by the
      same rules `accept` and `parse` apply; a channel that can show them at their fields (Slack's modal)
      keeps the form open with them instead of sending it (`Dialogs.form_problems`).
    """

    name: str
    keys: tuple[str, ...]
    ask: Callable[[Turn, Draft], Question]
    parse: Parser | None = None
    needed: Callable[[Turn, Draft], bool] = lambda turn, draft: True
    clears: tuple[str, ...] = ()
    free_text: bool = False
    accept: Acceptor | None = None
    submitted: tuple[str, ...] = ()
    problems: Problems | None = None


@dataclass
class Form:
    """A declared form; `register` adds its set, save (and restart) actions and a step per typed slot to a router."""

    name: str
    guard: Guard[Any]
    set_action: Act  # a button that fills a slot and goes on
    save_action: Act  # the save button (and the last check)
    slots: list[Slot]
    keys: tuple[str, ...]  # every key a draft may hold (other values of a button are dropped)
    check: Callable[[Turn, Draft], tuple[str, tuple[str, ...]] | None]  # a problem: (reason, keys to ask again)
    preview: Callable[[Turn, Draft], list[Reply]] | None  # None: a complete draft is saved at once
    save: Callable[[Turn, Draft], list[Reply]]
    start: Callable[[Turn, Draft], Draft] = field(default=lambda turn, draft: draft)  # may raise Answered
    restart: Callable[[Turn, Draft], list[Reply]] | None = None  # "start again" (default: the form anew)
    restart_keeps: tuple[str, ...] = ()
    restart_action: Act | None = None  # "start again", where the preview offers it
    load: Callable[[Turn, Draft], Draft] | None = None  # answers kept elsewhere (a draft saved in the database)

    # Actions and steps ------------------------------------------------------------------------

    def register(self, router: Router) -> None:
        router.action(self.set_action, guard=self.guard)(lambda turn, values, _: self._set(turn, values))
        router.action(self.save_action, guard=self.guard)(lambda turn, values, _: self._save(turn, values))
        if self.restart_action is not None:
            router.action(self.restart_action, guard=self.guard)(lambda turn, values, _: self._restart(turn, values))
        router.form_check(self.set_action, self._problems)
        for slot in self.slots:
            if slot.parse is not None:
                router.step(self._step(slot), free_text=slot.free_text)(self._answer_for(slot))

    def _step(self, slot: Slot) -> str:
        return f"{self.name}.{slot.name}"

    # Filling ----------------------------------------------------------------------------------

    def draft_of(self, values: Values) -> Draft:
        return {k: values[k] for k in self.keys if values.get(k) not in (None, "")}

    def without(self, draft: Draft, *slot_names: str) -> Draft:
        """The draft without the named slots and what a change of them clears (to ask for them again)."""
        drop: set[str] = set()
        for slot in self.slots:
            if slot.name in slot_names:
                drop |= {*slot.keys, *slot.clears}
        return {k: v for k, v in draft.items() if k not in drop}

    def button(self, label: str, draft: Draft, **update: Any) -> Button:
        """A button that sets `update` in the draft and goes on."""
        return Button(label=label, action=self.set_action, values={**draft, **update})

    def save_button(self, label: str, draft: Draft) -> Button:
        return Button(label=label, action=self.save_action, values=draft, style="primary")

    def restart_button(self, label: str, draft: Draft) -> Button:
        assert self.restart_action is not None
        return Button(
            label=label, action=self.restart_action, values={k: draft[k] for k in self.restart_keeps if k in draft}
        )

    def _set(self, turn: Turn, values: Values) -> list[Reply]:
        """A button, or a submitted form: its fields go to the slot that asked for them, then on."""
        draft = self.draft_of(values)
        for slot in self.slots:
            if slot.accept is not None and any(name in values for name in slot.submitted):
                update, reason = slot.accept(turn, values, draft)
                return self.go_on(turn, {**draft, **update}, reason)
        return self.go_on(turn, draft)

    def _problems(self, turn: Turn, values: Values) -> dict[str, str]:
        """The problems of a submitted form's fields, by the slot that asked for them (nothing is saved)."""
        draft = self.draft_of(values)
        self.guard.check(turn, draft)
        for slot in self.slots:
            if slot.problems is not None and any(name in values for name in slot.submitted or slot.keys):
                return slot.problems(turn, values, draft)
        return {}

    def ask(self, turn: Turn, slot_name: str, values: Values, question: Question | None = None) -> list[Reply]:
        """Ask for one slot again, answered or not (to edit it), with its own question or `question`."""
        draft = self.draft_of(values)
        slot = next(s for s in self.slots if s.name == slot_name)
        return self._ask(turn, slot, draft, question or slot.ask(turn, draft))

    def go_on(self, turn: Turn, values: Values, lead: str | None = None) -> list[Reply]:
        """Ask for the next missing slot of the draft, or check it and show the preview when it is complete."""
        draft = self.start(turn, self.draft_of(values))
        replies: list[Reply] = [TextReply(text=lead)] if lead else []
        slot = self._missing(turn, {**self.load(turn, draft), **draft} if self.load else draft)
        if slot is not None:
            return [*replies, *self._ask(turn, slot, draft, slot.ask(turn, draft))]
        problem = self.check(turn, draft)
        if problem is not None:
            reason, stale = problem
            return self.go_on(turn, {k: v for k, v in draft.items() if k not in stale}, reason)
        if self.preview is None:
            return [*replies, *self.save(turn, draft)]
        return [*replies, *self.preview(turn, draft)]

    def _missing(self, turn: Turn, draft: Draft) -> Slot | None:
        """The first slot the draft needs and lacks."""
        return next(
            (s for s in self.slots if any(k not in draft for k in s.keys) and s.needed(turn, draft)),
            None,
        )

    def _ask(self, turn: Turn, slot: Slot, draft: Draft, question: Question) -> list[Reply]:
        if slot.parse is not None:
            turn.wait(self._step(slot), **draft)
        if question.fields and question.inline:
            return [
                ChoicesReply(
                    text=question.text,
                    buttons=[
                        self.button(label, draft, **update).model_copy(update={"asks_fields": label == question.picker})
                        for label, update in question.choices
                    ],
                    fields=list(question.fields),
                    submit=Button(label=question.submit, action=self.set_action, values=draft, style="primary"),
                    missing=turn.tr._("Please fill this in."),
                )
            ]
        if question.fields:
            form = FormReply(
                title=question.title,
                fields=list(question.fields),
                submit=Button(label=question.submit, action=self.set_action, values=draft),
                missing=turn.tr._("Please fill this in."),
                short_title=question.short_title,
                close=turn.tr._("Cancel"),
            )
            return [form, TextReply(text=question.text)]
        if not question.choices:
            return [TextReply(text=question.text)]
        buttons = [self.button(label, draft, **update) for label, update in question.choices]
        return [ChoicesReply(text=question.text, buttons=buttons)]

    def _answer_for(self, slot: Slot) -> Callable[[Turn, str], list[Reply] | None]:
        def answer(turn: Turn, text: str) -> list[Reply] | None:
            draft = self.draft_of(turn.waiting_data)
            self.guard.check(turn, draft)
            result = slot.parse(turn, text, draft) if slot.parse is not None else None
            if isinstance(result, dict):
                return self.go_on(turn, {**draft, **result})
            if isinstance(result, Question):
                return self._ask(turn, slot, draft, result)
            if result is None or turn.is_request:  # not an answer: the engine takes it as a request of its own
                return None
            return [TextReply(text=result.reason), *self._ask(turn, slot, draft, slot.ask(turn, draft))]

        return answer

    # Saving -----------------------------------------------------------------------------------

    def _save(self, turn: Turn, values: Values) -> list[Reply]:
        draft = self.draft_of(values)
        if self._missing(turn, {**self.load(turn, draft), **draft} if self.load else draft) is not None:
            return self.go_on(turn, draft)
        problem = self.check(turn, draft)
        if problem is not None:
            return self.go_on(turn, draft)
        return self.save(turn, draft)

    def _restart(self, turn: Turn, values: Values) -> list[Reply]:
        draft = {k: v for k, v in self.draft_of(values).items() if k in self.restart_keeps}
        if self.restart is not None:
            return self.restart(turn, draft)
        return self.go_on(turn, draft)
