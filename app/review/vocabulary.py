"""Review's codes and the words people read for them: kinds, priorities, actions, report reasons, rules.

Codes are stored and sent over the API; every page shows the translated label
instead (no raw "sourcing" or "published" on a moderator's screen).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n_markers import N_

# Queue kinds, weightiest first, with their priority (higher: looked at sooner).
# Order from the issue: crisis and "worried" first, then sourcing and personal data,
# then reports, then welcomes, then the rest; oldest first within a priority.
KINDS: dict[str, tuple[int, str]] = {
    "crisis": (50, N_("Crisis")),
    "worried": (50, N_("Someone is worried")),
    "sourcing": (40, N_("Medicines offered or sought")),
    "personal_data": (40, N_("Personal details")),
    "report": (30, N_("Reported")),
    "welcome": (20, N_("First post to welcome")),
    # A newcomer's later posts wait for a moderator too, but only the first is the one to welcome.
    "newcomer": (20, N_("Held for review")),
    "cold_turkey_advice": (10, N_("Advice to stop abruptly")),
    "appeal": (10, N_("Appeal")),
    # A report of an error in the medication data, sent from the diary pages (no post concerned).
    "medication_data": (30, N_("Medication data")),
}
PRIORITY_LABELS = {50: N_("Urgent"), 40: N_("High"), 30: N_("Reports"), 20: N_("Welcome"), 10: N_("Normal")}

# Categories of the moderation engine, as moderators and members read them.
FINDING_LABELS = {
    "stigma": N_("Stigmatising words"),
    "cold_turkey_advice": N_("Advice to stop abruptly"),
    "crisis": N_("Crisis"),
    "sourcing": N_("Medicines offered or sought"),
    "personal_data": N_("Personal details"),
}
SOURCE_LABELS = {"rule": N_("guideline"), "model": N_("learned model")}

# What a member can report (contract: POST /api/v1/posts/{id}/reports).
REPORT_REASONS: dict[str, tuple[str, str]] = {
    "stigma": (N_("Stigmatising language"), N_("Words that label or shame people.")),
    "medical_advice": (N_("Unsafe medical advice"),
                       N_("For example advice to stop a medication all at once, or to change a dose alone.")),
    "worried": (N_("I'm worried about this person"),
                N_("They may be in danger or in crisis. Moderators look at these first.")),
    "sourcing": (N_("Offering or seeking medicines"), N_("Selling, giving, swapping or asking for medicines.")),
    "personal_data": (N_("Personal details"), N_("A phone number, an address, a full name, ...")),
    "spam": (N_("Spam or advertising"), N_("Advertising, or the same message again and again.")),
    "illegal": (N_("Illegal content"),
                N_("A notice under the EU Digital Services Act (Art. 16): explain why it is illegal.")),
    "other": (N_("Something else"), N_("Tell the moderators what is wrong.")),
}
# Which queue kind a report of each reason opens (besides "report").
REPORT_KIND = {"worried": "worried", "sourcing": "sourcing", "personal_data": "personal_data"}
# Which engine category a report confirms or not, as a training label for the engine.
REPORT_LABEL_CATEGORY = {"stigma": "stigma", "medical_advice": "cold_turkey_advice", "worried": "crisis",
                         "sourcing": "sourcing", "personal_data": "personal_data"}


@dataclass(frozen=True)
class Action:
    code: str
    label: str  # what moderators choose
    done: str  # what a member reads: "Your post was hidden."
    on: str  # "post", "thread" or "member"
    restricts: bool  # restricts content or an account: a statement with an appeal (DSA Art. 17)


ACTIONS: dict[str, Action] = {a.code: a for a in (
    Action("approve", N_("Approve"), N_("Your post was approved and is now visible to everyone."), "post", False),
    Action("edit", N_("Edit"), N_("A moderator edited your post."), "post", True),
    Action("hide", N_("Hide"), N_("Your post was hidden: only you and the moderators can see it."), "post", True),
    Action("delete", N_("Remove"), N_("Your post was removed."), "post", True),
    Action("note", N_("Add a content note"),
           N_("A moderator added a content note to your post: readers open it if they choose."), "post", True),
    Action("move", N_("Move to another category"), N_("A moderator moved your thread to another category."),
           "thread", True),
    Action("lock", N_("Lock the thread"), N_("Your thread was locked: it takes no new replies."), "thread", True),
    Action("unlock", N_("Unlock the thread"), N_("Your thread was unlocked: it takes replies again."),
           "thread", False),
    Action("pin", N_("Pin the thread"), N_("Your thread was pinned to the top of its category."), "thread", False),
    Action("unpin", N_("Unpin the thread"), N_("Your thread is no longer pinned."), "thread", False),
    Action("slow_mode", N_("Slow mode"), N_("Your thread is in slow mode: members wait between replies."),
           "thread", True),
    Action("warn", N_("Warn"), N_("You received a warning from the moderators."), "member", True),
    Action("silence", N_("Silence (read-only)"),
           N_("Your account is read-only for a while: you can read, but not post or react."), "member", True),
    Action("suspend", N_("Suspend"),
           N_("Your account is suspended for a while: you can only read your statements, your messages and "
              "your data."), "member", True),
    Action("ban", N_("Ban"), N_("Your account is closed to the forum for good."), "member", True),
    Action("restore", N_("Restore"), N_("Your post was put back as it was."), "post", False),
    Action("lift", N_("Lift the restriction"), N_("The restriction on your account was lifted."), "member", False),
    Action("uphold", N_("Uphold the decision"),
           N_("Your appeal was considered by another moderator: the decision stands."), "appeal", False),
    Action("reverse", N_("Reverse the decision"),
           N_("Your appeal was considered by another moderator: the decision was reversed."), "appeal", False),
)}
#: Decisions that take nothing from the member and answer no appeal (a first post approved, a thread
#: pinned, a restriction lifted): kept as statements and announced in the bell, but they raise no
#: banner on every page, and opening the list of statements is reading them.
INFORMATIONAL_ACTIONS = frozenset(code for code, action in ACTIONS.items()
                                  if not action.restricts and action.on != "appeal")
# Actions a decision in the queue may take (contract: approve, hide, delete, edit, lock, warn,
# silence, suspend, ban; the others extend it).
QUEUE_ACTIONS = ("approve", "edit", "hide", "delete", "note", "move", "lock", "unlock", "pin", "unpin",
                 "slow_mode", "warn", "silence", "suspend", "ban")
MEMBER_ACTIONS = ("warn", "silence", "suspend", "ban")
APPEAL_ACTIONS = ("uphold", "reverse")
# Actions that take a number of days, and the longest allowed.
TIMED_ACTIONS = {"silence": 90, "suspend": 365}
# Actions the public moderation log lists (actions on content, no member named).
PUBLIC_ACTIONS = frozenset({"edit", "hide", "delete", "note", "move", "lock", "unlock", "restore"})


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    # Where the member reads the rule: a resource page's slug, or the guidelines page.
    page: str


# The grounds a decision can rest on (DSA Art. 17(3)(d)): the house rules (terms) or the law.
RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("medical_advice", N_("House rule 1: peer support, not medical advice"), "house-rules"),
    Rule("trading", N_("House rule 2: no trading of medicines"), "house-rules"),
    Rule("personal_data", N_("House rule 3: no personal details"), "house-rules"),
    Rule("respect", N_("House rule 4: kindness, and respectful words"), "house-rules"),
    Rule("wording", N_("How we talk here: the wording guidelines"), "guidelines"),
    Rule("spam", N_("No advertising or spam (house rules)"), "house-rules"),
    Rule("illegal", N_("Illegal content under Belgian or EU law"), "house-rules"),
    Rule("safety", N_("Safety: help for someone who is struggling"), "crisis-lines"),
    Rule("welcome", N_("Welcoming new members' first posts"), "house-rules"),
    Rule("newcomer", N_("Reading new members' posts before they appear"), "house-rules"),
)}
# The rule a case most likely rests on, from what raised it (the moderator may choose another).
RULE_FOR = {"crisis": "safety", "worried": "safety", "sourcing": "trading", "personal_data": "personal_data",
            "cold_turkey_advice": "medical_advice", "medical_advice": "medical_advice", "stigma": "respect",
            "spam": "spam", "illegal": "illegal", "welcome": "welcome", "newcomer": "newcomer"}

STATEMENT_SOURCES = {
    "automated": N_("Found by the forum's automatic checks, then decided by a moderator."),
    "report": N_("Reported by a member or visitor, then decided by a moderator."),
    "moderator": N_("Noticed by a moderator."),
    "appeal": N_("Decided on your appeal by a moderator who had not taken the first decision."),
    "welcome": N_("New members' first posts are read by a moderator before they appear."),
    # A newcomer's later held post: approved like any decision, not welcomed a second time.
    "newcomer": N_("A new member's posts are read by a moderator before they appear."),
}
REPORT_OUTCOMES = {"action_taken": N_("The moderators acted on it."),
                   "no_action": N_("The moderators looked at it and left the post as it is.")}
APPEAL_STATUSES = {"open": N_("Waiting for a moderator"), "upheld": N_("The decision stands"),
                   "reversed": N_("The decision was reversed")}
POST_STATUS_LABELS = {"published": N_("Visible to everyone"), "held": N_("Waiting for a moderator"),
                      "hidden": N_("Hidden by the moderators"), "removed": N_("Removed by the moderators"),
                      "deleted": N_("Deleted by its author")}
# Canned reply purposes.
CANNED_PURPOSES = {"crisis_public": N_("Crisis: public reply"), "crisis_private": N_("Crisis: private check-in"),
                   "welcome": N_("Welcome reply"), "general": N_("Other")}


# What the audit log calls each entry (decisions and appeals use their action's label).
AUDIT_LABELS = {
    "role.grant": N_("Role given"), "role.revoke": N_("Role taken back"),
    "crisis.support": N_("Reached out to someone in crisis"), "crisis.pause": N_("Break from crisis items"),
    "crisis.resume": N_("Back to crisis items"), "message.start": N_("Wrote to a member"),
    "message.reply": N_("Answered a member"), "member.note": N_("Note about a member"),
    "canned.save": N_("Canned reply saved"), "guidelines.save": N_("Wording guideline saved"),
}
TARGET_LABELS = {"post": N_("post"), "thread": N_("thread"), "user": N_("member"), "appeal": N_("appeal"),
                 "guideline": N_("wording guideline"), "canned_reply": N_("canned reply")}


def audit_label(code: str) -> str:
    """The msgid naming an audit entry's action ("decision.hide" reads as the "hide" action)."""
    prefix, _dot, rest = code.partition(".")
    if prefix in ("decision", "appeal", "thread") and rest in ACTIONS:
        return ACTIONS[rest].label
    return AUDIT_LABELS.get(code, code)


def kind_priority(kind: str) -> int:
    return KINDS[kind][0]


def classify(tags: set[str]) -> tuple[str, int]:
    """The weightiest kind among an item's tags and its priority (ties: KINDS' order)."""
    best = max((k for k in KINDS if k in tags), key=lambda k: KINDS[k][0], default="report")
    return best, KINDS[best][0]
