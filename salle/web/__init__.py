"""The web layer: the JSON API (one blueprint per concern), live updates, the staff pages. The app is
assembled in salle.web.app."""
