r"""A lesson step's caption as the caption panel shows it: Markdown with simple maths.

Qt renders the Markdown (``QTextDocument.setMarkdown``, which keeps inline HTML);
this module turns the ``$...$`` maths of a caption into HTML that Markdown passes
through: ``D_{95}`` -> ``D<sub>95</sub>``, ``cm^3`` -> ``cm<sup>3</sup>``, ``\geq``
-> ``≥``. Written here rather than taken from a TeX library: the captions need a
dozen symbols and two scripts, and a maths renderer (MathJax, matplotlib's
mathtext) would bring a browser or images into a text panel.
"""

from __future__ import annotations

import re
from html import escape

from rtviewer.view.lesson import LessonStep

__all__ = ["SYMBOLS", "caption_markdown", "maths_html", "with_maths"]

#: TeX commands a caption may use, and what they show.
SYMBOLS: dict[str, str] = {
    "geq": "≥", "ge": "≥", "leq": "≤", "le": "≤", "neq": "≠", "approx": "≈", "pm": "±",
    "times": "×", "cdot": "·", "to": "→", "rightarrow": "→", "propto": "∝", "infty": "∞",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "Delta": "Δ", "mu": "μ",
    "theta": "θ", "lambda": "λ", "sigma": "σ", "Sigma": "Σ", "sum": "Σ", "int": "∫",
    "degree": "°", "circ": "°", ",": "\u2009", " ": " ", "%": "%",
}

_MATHS = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$")
_COMMAND = re.compile(r"\\([A-Za-z]+|[, %])")
_SCRIPT = re.compile(r"([_^])(\{([^{}]*)\}|\\[A-Za-z]+|.)")
_FRAC = re.compile(r"\\frac\{([^{}]*)\}\{([^{}]*)\}")


def maths_html(tex: str) -> str:
    """HTML of one ``$...$`` span: scripts as ``<sub>``/``<sup>``, commands as symbols.

    Unknown commands are shown as written (with their backslash), never dropped.
    """
    text = _FRAC.sub(lambda m: f"({m.group(1)})/({m.group(2)})", tex)

    def command(match: re.Match[str]) -> str:
        name = match.group(1)
        return SYMBOLS.get(name, match.group(0))

    def script(match: re.Match[str]) -> str:
        tag = "sub" if match.group(1) == "_" else "sup"
        body = match.group(3) if match.group(3) is not None else match.group(2)
        return f"\x00{tag}\x01{body}\x00/{tag}\x01"

    text = _SCRIPT.sub(script, text)
    text = _COMMAND.sub(command, text)
    text = escape(text, quote=False).replace("\x00", "<").replace("\x01", ">")
    return f"<i>{text}</i>" if re.fullmatch(r"[A-Za-z]", tex.strip()) else text


def with_maths(markdown: str) -> str:
    r"""``markdown`` with each ``$...$`` span replaced by its HTML (``\$`` stays a dollar)."""
    return _MATHS.sub(lambda m: maths_html(m.group(1)), markdown).replace("\\$", "$")


def caption_markdown(step: LessonStep, number: int, total: int,
                     previous: LessonStep | None = None, missing: tuple[str, ...] = ()
                     ) -> str:
    """The caption panel's Markdown for step ``number`` of ``total``.

    The answer to ``previous``'s question comes first, the missing data (if any)
    next, then the caption and this step's question.
    """
    parts = [f"### {number}/{total} · {step.title}" if step.title else f"### {number}/{total}"]
    if previous is not None and previous.question and previous.answer:
        parts.append(f"> **Answer:** {with_maths(previous.answer.strip())}")
    if missing:
        parts.append("**Data missing:** " + "; ".join(missing)
                     + ". Open the folder that holds it (File → Open Folder).")
    if step.caption.strip():
        parts.append(with_maths(step.caption.strip()))
    if step.question.strip():
        parts.append(f"**Question:** {with_maths(step.question.strip())}")
    return "\n\n".join(parts) + "\n"


