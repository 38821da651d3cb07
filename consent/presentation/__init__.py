"""What the consent pages and the PDF show, in words: the wizard's material (`wizard`) and a
signed record (`record`)."""

from .wizard import checklist_rows, formulation_display, section_for_question

__all__ = ["checklist_rows", "formulation_display", "section_for_question"]
