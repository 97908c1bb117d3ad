"""The papers of the day, before it: convocations with their barcode, lists to post, labels for doors and
tables (PDF out, built from the session and the candidats of the day's file)."""
