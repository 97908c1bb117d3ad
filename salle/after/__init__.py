"""After the day: every site's archive in one record of the concours, and what is made from it (lists for the jury,
attestations de présence, the hand-off to the registration system)."""
