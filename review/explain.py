"""Explanations in the editor's words: factor and label names, the ranker, and which parts
of the analysis did not run (so a factor is not misread)."""

from __future__ import annotations

from review.i18n import MESSAGES, translate

HAND_RANKER = "hand-weighted"


def named(lang: str, kind: str, name: str) -> str:
    """The translated name of a factor or label (`kind` "factor" or "label"); an unknown
    one (a new factor of a trained ranker) reads as its words, never as a raw key."""
    key = f"{kind}_{name}"
    if key in MESSAGES["id"]:
        return translate(lang, key)
    return name.replace("_", " ").capitalize()


def leader_recognised(components: dict[str, str]) -> bool:
    """Whether the enrolled leader was looked for; without it `leader` means any face.

    Entries without a component record (made before it existed) count as recognised:
    nothing says otherwise.
    """
    status = components.get("leader")
    return status is None or not status.startswith(("missing", "skipped"))


def factor_name(lang: str, name: str, components: dict[str, str]) -> str:
    """A factor's name as the page shows it for this entry."""
    if name == "leader" and not leader_recognised(components):
        return translate(lang, "factor_leader_any_face")
    return named(lang, "factor", name)


def component_notes(components: dict[str, str]) -> list[str]:
    """Message keys of the notes an editor needs: recognition off, people model missing,
    or no picture at all (then the picture's components are not missing, just moot)."""
    if components.get("look.frames", "").startswith("missing"):
        return ["note_no_picture"]
    notes = []
    leader = components.get("leader", "")
    if "no leader enrolled" in leader:
        notes.append("note_no_leader")
    elif not leader_recognised(components):
        notes.append("note_leader_failed")
    for component, key in (("look.bodies", "note_no_people"), ("look.faces", "note_no_faces")):
        if components.get(component, "").startswith(("missing", "skipped")):
            notes.append(key)
    return notes


def ranker_key(ranker: str) -> str:
    """Message key describing how clips were ranked (no internal version strings)."""
    return "ranker_hand" if ranker.startswith(HAND_RANKER) else "ranker_trained"
