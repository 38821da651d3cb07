"""Mesotherapy in Spanish: the demo's translation, published as its own procedure and versions.

The words are in `demo_content/mesotherapy.es.toml`, which `education.demo` reads and loads;
this module names them as `education.demo` names the English, for the load_demo command and the
tests that compare the translation with the English row for row.
"""

from .demo import SPANISH

LANGUAGE = SPANISH.language
SLUG = SPANISH.slug
PROCEDURE = SPANISH.procedure
INGREDIENTS = SPANISH.rows["ingredients"]
INDICATIONS = SPANISH.rows["indications"]
SIDE_EFFECTS = SPANISH.rows["side_effects"]
CHECKLIST = SPANISH.rows["checklist"]
COMPREHENSION_QUESTIONS = SPANISH.rows["comprehension_questions"]
QUESTIONS_ANSWERS = SPANISH.rows["questions_answers"]
PUBLISH_NOTE = SPANISH.publish_note
SCREENING_QUESTIONS = SPANISH.rows["screening_questions"]
