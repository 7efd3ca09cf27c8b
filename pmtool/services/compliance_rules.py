"""The regulatory rules as small pure functions: MDR Rule 11 and what follows from it.

MDR Annex VIII Rule 11 (software), as a decision tree of yes/no questions with ids
(q1, q2, ...). :func:`classify_rule11` walks it with the answers given and returns the
class, the path taken and the rationale; a missing answer on the path is an error that
names the question, an answer to a question that does not exist is another.
:func:`derive_ai_act` turns the profile and the MDR class into the AI Act tier with its
reason, and hints (research exclusion, in-house devices, which checklists apply).

Standard library only; no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pmtool.core import words
from pmtool.core.errors import InvalidInput

RULE11 = "mdr-rule-11"
YES_WORDS = frozenset({"yes", "y", "true", "1", "ja", "j"})
NO_WORDS = frozenset({"no", "n", "false", "0", "nein"})


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    help: str
    yes: str  # the next question id, or "class:X"
    no: str


# The tree. Paraphrased from MDR Annex VIII Rule 11 (Regulation (EU) 2017/745); the
# in-house question (Art. 5(5)) does not change the class, it adds a hint.
QUESTIONS: tuple[Question, ...] = (
    Question(
        "q1",
        "Is the software meant by its maker for a medical purpose (diagnosis, prevention, "
        "monitoring, prediction, prognosis or treatment of disease), i.e. a medical device?",
        "Research tools, hospital administration and general wellness apps are not.",
        "q2",
        "class:none",
    ),
    Question(
        "q2",
        "Does it give information that is used to take decisions for diagnosis or therapy?",
        "E.g. a risk score that prompts treatment, a finding flagged on an image.",
        "q3",
        "q5",
    ),
    Question(
        "q3",
        "Could such a decision cause death or an irreversible deterioration of health?",
        "Think of the worst plausible wrong decision taken on its output.",
        "q7:III",
        "q4",
    ),
    Question(
        "q4",
        "Could such a decision cause a serious deterioration of health or a surgical intervention?",
        "Serious but reversible harm, or an operation that would not have happened.",
        "q7:IIb",
        "q7:IIa",
    ),
    Question(
        "q5",
        "Is it meant to monitor physiological processes?",
        "E.g. trends of heart rate, blood glucose or breathing.",
        "q6",
        "q7:I",
    ),
    Question(
        "q6",
        "Does it monitor vital physiological parameters whose variations could put the "
        "patient in immediate danger?",
        "E.g. cardiac rhythm or oxygen saturation on an ICU.",
        "q7:IIb",
        "q7:IIa",
    ),
    Question(
        "q7",
        "Is it made and used only inside one health institution, never placed on the "
        "market (MDR Art. 5(5) in-house device)?",
        "This does not change the class; it changes which duties apply.",
        "done",
        "done",
    ),
)
BY_ID = {question.id: question for question in QUESTIONS}

_CLASS_REASONS = {
    "none": "not a medical device: MDR Rule 11 does not apply",
    "I": "Rule 11, last paragraph: all other software is class I",
    "IIa": "Rule 11: software informing diagnostic or therapeutic decisions, or monitoring "
    "physiological processes, is class IIa",
    "IIb": "Rule 11: class IIb where a decision could cause serious deterioration of health "
    "or surgery, or for monitoring of vital parameters with immediate danger",
    "III": "Rule 11: class III where a decision could cause death or irreversible "
    "deterioration of health",
}


@dataclass
class Rule11Result:
    mdr_class: str
    path: list[tuple[str, bool]] = field(default_factory=list)
    rationale: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)  # answered, but off the path
    in_house: bool | None = None

    @property
    def rationale_text(self) -> str:
        return "\n".join(self.rationale)


def parse_answer(question_id: str, text: str) -> bool:
    value = text.strip().lower()
    if value in YES_WORDS:
        return True
    if value in NO_WORDS:
        return False
    raise InvalidInput(f"answer to {question_id} must be yes or no, not {text!r}")


def parse_answers(pairs: list[str] | tuple[str, ...]) -> dict[str, bool]:
    """``q1=yes`` pairs (or ``q1=yes,q2=no``) as {question id: answer}; unknown
    questions are refused."""
    answers: dict[str, bool] = {}
    for pair in [part for given in pairs for part in given.split(",") if part.strip()]:
        question_id, equals, value = pair.partition("=")
        question_id = question_id.strip().lower()
        if not equals:
            raise InvalidInput(f"--answer {pair!r}: give QUESTION=ANSWER, e.g. q1=yes")
        if question_id not in BY_ID:
            known = ", ".join(BY_ID)
            raise InvalidInput(f"there is no question {question_id!r} (questions: {known})")
        answers[question_id] = parse_answer(question_id, value)
    return answers


def next_question(answers: dict[str, bool]) -> Question | None:
    """The first question on the path that has no answer yet (None: the tree is done)."""
    current = "q1"
    while True:
        question = BY_ID[current]
        if question.id not in answers:
            return question
        target = question.yes if answers[question.id] else question.no
        if target.startswith("class:") or target == "done":
            return None
        current = target.split(":")[0]


def classify_rule11(answers: dict[str, bool]) -> Rule11Result:
    """Walk the tree. Every question on the path must be answered."""
    unknown = sorted(set(answers) - set(BY_ID))
    if unknown:
        raise InvalidInput(f"there is no question {unknown[0]!r} (questions: {', '.join(BY_ID)})")
    result = Rule11Result(mdr_class="")
    current = "q1"
    while True:
        question = BY_ID[current]
        if question.id not in answers:
            raise InvalidInput(
                f"missing answer to {question.id}: {question.text} "
                f"(give --answer {question.id}=yes or {question.id}=no)"
            )
        answer = answers[question.id]
        result.path.append((question.id, answer))
        result.rationale.append(f"{question.id} {'yes' if answer else 'no'}: {question.text}")
        target = question.yes if answer else question.no
        if question.id == "q7":
            result.in_house = answer
            break
        if target.startswith("class:"):
            result.mdr_class = target.removeprefix("class:")
            break
        current, _, reached_class = target.partition(":")
        if reached_class:
            result.mdr_class = reached_class
    result.rationale.append(f"=> class {result.mdr_class}: {_CLASS_REASONS[result.mdr_class]}")
    on_path = {question_id for question_id, _ in result.path}
    result.unused = sorted(set(answers) - on_path)
    return result


@dataclass(frozen=True)
class AiActView:
    tier: str | None
    reason: str | None
    derived: bool  # the tier follows from the MDR class, not from the user
    hints: tuple[str, ...]


def derive_ai_act(
    role: str | None,
    tier: str | None,
    reason: str | None,
    mdr_class: str | None,
    in_house: bool | None = None,
    checklists: frozenset[str] = frozenset(),
) -> AiActView:
    """The AI Act tier (the user's, else what the MDR class implies) and hints;
    ``checklists`` names the templates the project has checklists of."""
    hints: list[str] = []
    high_risk_by_mdr = mdr_class in words.MDR_NOTIFIED_BODY_CLASSES
    derived = False
    if tier is None and high_risk_by_mdr:
        tier, derived = "high-risk", True
        reason = (
            f"Art. 6(1) + Annex I: MDR class {mdr_class} software needs a notified body, "
            "so the AI system is high-risk"
        )
    elif tier is not None and tier != "high-risk" and high_risk_by_mdr:
        hints.append(
            f"MDR class {mdr_class} makes an AI medical device high-risk (Art. 6(1) + "
            f"Annex I), but the tier is set to {tier}: check the reason"
        )
    if role == "research-only":
        hints.append(
            "Art. 2(6): AI developed and put into service solely for scientific research is "
            "outside the AI Act; testing in real-world conditions is not excluded"
        )
    if in_house:
        hints.append(
            "MDR Art. 5(5): an in-house device of a health institution is exempt from most "
            "MDR duties when its conditions are met (the safety and performance requirements "
            "still apply)"
        )
    # Which checklists the duties call for, unless the project has them already.
    if tier == "high-risk" and role in ("provider", "both") and "ai-act-provider" not in checklists:
        hints.append("as provider: add the ai-act-provider checklist")
    if tier == "high-risk" and role in ("deployer", "both") and "ai-act-deployer" not in checklists:
        hints.append("as deployer: add the ai-act-deployer checklist")
    return AiActView(tier, reason, derived, tuple(hints))


def iec62304_hint(mdr_class: str | None, safety_class: str | None) -> str | None:
    """A warning when the software safety class looks low for the device class."""
    if safety_class == "A" and mdr_class in ("IIb", "III"):
        return (
            f"IEC 62304 class A (no injury possible) is unusual for MDR class {mdr_class}: "
            "check the hazard analysis"
        )
    return None
