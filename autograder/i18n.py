"""What the grader tells students, in the course's language: one catalogue, Spanish and English.

Every student-facing text of the grader (feedback labels, repair notes, the harness's
messages) is looked up here with :func:`t`; the course chooses the language in its
``nbgrader_config.py`` with ``c.Autograder.language`` (``"es"``, the default, or
``"en"``). Instructor-facing output is English and does not go through this module.

The catalogue is a plain Python mapping rather than gettext ``.po``/``.mo`` files or
Babel: it has a few dozen messages with named placeholders, it must ship in the student
wheel and work in the sealed kernel without a compile step or another dependency, and
a test (``tests/test_i18n.py``) checks that every language has every key with the same
placeholders, which is what ``msgfmt --check`` would give. Adding a language is adding
one dictionary.
"""

from __future__ import annotations

import os
import string

#: The language when the course sets none (the course this package was written for).
DEFAULT = "es"
#: The environment variable that carries the course's language to processes that never
#: read its configuration (set by :func:`set_language`).
VARIABLE = "AUTOGRADER_LANGUAGE"

CATALOGUE: dict[str, dict[str, str]] = {
    "es": {
        # feedback page
        "feedback.score": "Puntuación",
        "feedback.test": "Prueba",
        "feedback.code_answer": "Respuesta de código",
        "feedback.written_answer": "Respuesta escrita",
        "feedback.task": "Tarea",
        "feedback.comment": "Comentario",
        "feedback.comments": "Comentarios",
        "feedback.late_penalty": "Penalización por entrega tardía",
        "feedback.top": "Arriba",
        "feedback.your_answer": "Tu respuesta",
        "feedback.your_task": "Tu tarea",
        "feedback.hidden_test": "# Prueba oculta: su código no se muestra, solo su resultado.",
        "feedback.blocked_scheme": "bloqueado",
        "feedback.pending": "pendiente de revisión",
        "feedback.points": "puntos",
        # repair notes (autograder.repair)
        "repair.heading": (
            "**Nota del calificador automático.** Al preparar tu entrega para calificarla:"
        ),
        "repair.skipped_files": (
            "No se copiaron {count} archivo(s) de tu carpeta (enlaces, archivos especiales, "
            "o más archivos o más datos de lo permitido)."
        ),
        "repair.renamed": (
            "Tu notebook se llamaba «{found}»; se calificó como «{expected}». "
            "La próxima vez no le cambies el nombre."
        ),
        "repair.notebook_missing": "No se encontró este notebook en tu entrega: vale 0 puntos.",
        "repair.nothing_submitted": "no se encontró ningún notebook en tu entrega",
        "repair.not_submitted": "No entregaste {names}: ese notebook vale 0 puntos.",
        "repair.too_big": (
            "Tu notebook pesa {size}, más que el máximo de {limit} (¿salidas o datos muy "
            "grandes?), así que no se abrió y vale 0 puntos. Borra las salidas grandes y vuelve "
            "a entregarlo."
        ),
        "repair.duplicates": (
            "Tu notebook tenía celdas calificables duplicadas ({ids}); se calificó la primera de "
            "cada una y las copias se trataron como celdas normales."
        ),
        "repair.unknown_marks": (
            "Algunas celdas tenían marcas de calificación que la tarea no tiene ({ids}); se "
            "trataron como celdas normales."
        ),
        "repair.edited_marks": (
            "Las marcas de calificación de {ids} estaban modificadas (puntos, tipo de celda o "
            "tipo de pregunta); se restauraron las originales para calificar."
        ),
        "repair.empty_file": "el archivo está vacío",
        "repair.invalid_notebook": "no es un notebook válido ({detail})",
        "repair.unreadable": (
            "No se pudo leer tu entrega: {reason}. Se calificó como una entrega vacía (0 puntos "
            "en las pruebas automáticas). Si crees que es un error, habla con tu profesor: tu "
            "archivo original se conserva sin cambios."
        ),
    },
    "en": {
        "feedback.score": "Score",
        "feedback.test": "Test",
        "feedback.code_answer": "Code answer",
        "feedback.written_answer": "Written answer",
        "feedback.task": "Task",
        "feedback.comment": "Comment",
        "feedback.comments": "Comments",
        "feedback.late_penalty": "Late submission penalty",
        "feedback.top": "Top",
        "feedback.your_answer": "Your answer",
        "feedback.your_task": "Your task",
        "feedback.hidden_test": "# Hidden test: its code is not shown, only its result.",
        "feedback.blocked_scheme": "blocked",
        "feedback.pending": "awaiting review",
        "feedback.points": "points",
        "repair.heading": "**Note from the autograder.** While preparing your submission:",
        "repair.skipped_files": (
            "{count} file(s) of your folder were not copied (links, special files, or more "
            "files or data than allowed)."
        ),
        "repair.renamed": (
            "Your notebook was named «{found}»; it was graded as «{expected}». "
            "Please do not rename it next time."
        ),
        "repair.notebook_missing": (
            "This notebook was not found in your submission: it scores 0 points."
        ),
        "repair.nothing_submitted": "no notebook was found in your submission",
        "repair.not_submitted": "You did not hand in {names}: that notebook scores 0 points.",
        "repair.too_big": (
            "Your notebook weighs {size}, more than the maximum of {limit} (large outputs or "
            "data?), so it was not opened and scores 0 points. Clear the large outputs and "
            "hand it in again."
        ),
        "repair.duplicates": (
            "Your notebook had duplicated graded cells ({ids}); the first of each was graded "
            "and the copies were treated as ordinary cells."
        ),
        "repair.unknown_marks": (
            "Some cells had grading marks the assignment does not have ({ids}); they were "
            "treated as ordinary cells."
        ),
        "repair.edited_marks": (
            "The grading marks of {ids} had been changed (points, cell type or question type); "
            "the original ones were restored for grading."
        ),
        "repair.empty_file": "the file is empty",
        "repair.invalid_notebook": "it is not a valid notebook ({detail})",
        "repair.unreadable": (
            "Your submission could not be read: {reason}. It was graded as an empty "
            "submission (0 points in the automatic tests). If you think this is a mistake, "
            "talk to your instructor: your original file is kept unchanged."
        ),
    },
}

#: The languages of the catalogue.
LANGUAGES = tuple(CATALOGUE)


def check_language(language: str) -> str:
    """Return ``language`` when the catalogue has it; raise ValueError otherwise.

    Parameters
    ----------
    language : str
        A language code (``"es"``, ``"en"``).
    """
    if language not in CATALOGUE:
        raise ValueError(
            f"c.Autograder.language = {language!r}: the grader speaks {', '.join(LANGUAGES)}"
        )
    return language


def language_of(config) -> str:
    """Return the language a course configuration chose (``c.Autograder.language``).

    Parameters
    ----------
    config : traitlets.config.Config
        The course configuration.
    """
    return check_language(config.Autograder.get("language", DEFAULT) if config else DEFAULT)


def set_language(language: str) -> None:
    """Make ``language`` the one :func:`t` uses when it is given none (this process and its children).

    Parameters
    ----------
    language : str
        A language of the catalogue.
    """
    os.environ[VARIABLE] = check_language(language)


def current_language() -> str:
    """Return the language :func:`t` uses by default (see :func:`set_language`)."""
    language = os.environ.get(VARIABLE, DEFAULT)
    return language if language in CATALOGUE else DEFAULT


def t(key: str, language: str | None = None, **values) -> str:
    """Return the student-facing message ``key`` in the course's language, filled in.

    Parameters
    ----------
    key : str
        The message's key in :data:`CATALOGUE` (``"repair.not_submitted"``).
    language : str, optional
        The language; by default the current one (:func:`current_language`).
    **values
        The message's named placeholders.

    Returns
    -------
    str
        The message. A key missing in that language falls back to the default language's.

    Raises
    ------
    KeyError
        When no language has ``key``.
    """
    messages = CATALOGUE.get(language or current_language(), CATALOGUE[DEFAULT])
    template = messages.get(key, CATALOGUE[DEFAULT][key])
    return template.format(**values) if values else template


def placeholders(template: str) -> set[str]:
    """Return the names of a message's placeholders (``{count}`` -> ``"count"``)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def labels(language: str | None = None) -> dict[str, str]:
    """Return the feedback page's labels in ``language``, keyed without the ``feedback.`` prefix.

    Parameters
    ----------
    language : str, optional
        The language; by default the current one.
    """
    prefix = "feedback."
    lang = language or current_language()
    return {
        key[len(prefix) :]: t(key, lang) for key in CATALOGUE[DEFAULT] if key.startswith(prefix)
    } | {"lang": lang}
