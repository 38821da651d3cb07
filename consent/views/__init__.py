"""The patient's pages, by part: `journey` (the link and the wizard), `record` (the signed
record, its PDF and withdrawal), `verify` (public record-code check), and `access` (the patient
session every page after the link needs)."""
